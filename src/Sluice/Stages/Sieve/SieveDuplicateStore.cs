using System.Collections.Concurrent;

namespace Sluice.Stages.Sieve;

/// <summary>
/// The memory behind the Sieve <c>duplicate</c> test (RFC 7352): ids seen, each until it expires.
/// Bounded: when full, expired entries go first, then the entries closest to expiry.
/// State is per process.
/// </summary>
internal sealed class SieveDuplicateStore(TimeProvider time, int capacity = SieveDuplicateStore.DefaultCapacity)
{
    public const int DefaultCapacity = 100_000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _expiries = new(StringComparer.Ordinal);
    private readonly Lock _trim = new();

    public int Count => _expiries.Count;

    /// <summary>True when (<paramref name="handle"/>, <paramref name="id"/>) was recorded and has not expired;
    /// otherwise records it for <paramref name="period"/> and answers false.</summary>
    public bool CheckAndRecord(string handle, string id, TimeSpan period)
    {
        var now = time.GetUtcNow();
        var key = handle + "\0" + id;
        if (_expiries.TryGetValue(key, out var expiry) && expiry > now)
        {
            return true;
        }
        if (_expiries.Count >= capacity)
        {
            Trim(now);
        }
        _expiries[key] = now + (period > TimeSpan.Zero ? period : TimeSpan.Zero);
        return false;
    }

    private void Trim(DateTimeOffset now)
    {
        lock (_trim)
        {
            foreach (var (key, expiry) in _expiries)
            {
                if (expiry <= now)
                {
                    _expiries.TryRemove(key, out _);
                }
            }
            var excess = _expiries.Count - (capacity - (capacity / 10) - 1);
            if (excess <= 0)
            {
                return;
            }
            foreach (var (key, _) in _expiries.OrderBy(e => e.Value).Take(excess).ToList())
            {
                _expiries.TryRemove(key, out _);
            }
        }
    }
}
