using System.Collections.Concurrent;

namespace Sluice.Stages.Throttles;

/// <summary>
/// A token bucket per key on a <see cref="TimeProvider"/> (so tests drive it with a fake clock):
/// a bucket holds up to <c>count</c> tokens and refills <c>count</c> per <c>period</c>; each event
/// takes one. Memory stays bounded: a bucket that has refilled completely is the same as no bucket,
/// so a sweep at most once per period drops those (losing nothing); and when <see cref="MaxKeys"/>
/// keys are still live within one period, arbitrary ones (in the dictionary's enumeration order) are
/// dropped down to three quarters of it: those keys start over with a full bucket, which is lenient
/// to them but keeps memory bounded under a flood of distinct keys. Thread-safe.
/// </summary>
/// <remarks>
/// <c>System.Threading.RateLimiting</c>'s partitioned limiters take no <see cref="TimeProvider"/>,
/// and their idle-partition cleanup runs on a wall-clock timer; a small bucket keyed by string is
/// simpler to reason about and to test.
/// </remarks>
internal sealed class KeyedRateLimiter
{
    /// <summary>Live buckets above which a sweep runs at once (not waiting for the period).</summary>
    public const int DefaultMaxKeys = 100_000;

    private const int MaxAttempts = 16;

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly double _count;
    private readonly long _periodTicks;
    private long _lastSweep;
    private int _sweeping;

    /// <summary>Buckets in the dictionary, kept by hand: <see cref="ConcurrentDictionary{TKey, TValue}.Count"/> takes every lock.</summary>
    private int _tracked;

    public KeyedRateLimiter(int count, TimeSpan period, TimeProvider time, int maxKeys = DefaultMaxKeys)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeys, 16);
        _time = time;
        _count = count;
        _periodTicks = Math.Max(1, (long)(period.TotalSeconds * time.TimestampFrequency));
        MaxKeys = maxKeys;
        _lastSweep = time.GetTimestamp();
    }

    public int MaxKeys { get; }

    /// <summary>Buckets in memory now.</summary>
    public int TrackedKeys => Volatile.Read(ref _tracked);

    /// <summary>Takes a token for <paramref name="key"/>; false when its bucket is empty.</summary>
    public bool TryAcquire(string key)
    {
        var now = _time.GetTimestamp();
        MaybeSweep(now);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (!_buckets.TryGetValue(key, out var bucket))
            {
                var created = new Bucket(_count, now);
                if (_buckets.TryAdd(key, created))
                {
                    Interlocked.Increment(ref _tracked);
                    bucket = created;
                }
                else if (!_buckets.TryGetValue(key, out bucket))
                {
                    continue; // added and removed by others in between: try again
                }
            }
            lock (bucket)
            {
                if (bucket.Removed)
                {
                    continue;
                }
                Refill(bucket, now);
                if (bucket.Tokens < 1)
                {
                    return false;
                }
                bucket.Tokens -= 1;
                return true;
            }
        }
        return false;
    }

    private void Refill(Bucket bucket, long now)
    {
        var elapsed = now - bucket.Last;
        if (elapsed > 0)
        {
            bucket.Tokens = Math.Min(_count, bucket.Tokens + (elapsed * _count / _periodTicks));
            bucket.Last = now;
        }
    }

    private void MaybeSweep(long now)
    {
        if (now - Volatile.Read(ref _lastSweep) < _periodTicks && Volatile.Read(ref _tracked) < MaxKeys)
        {
            return;
        }
        if (Interlocked.CompareExchange(ref _sweeping, 1, 0) != 0)
        {
            return;
        }
        try
        {
            Volatile.Write(ref _lastSweep, now);
            foreach (var (key, bucket) in _buckets)
            {
                lock (bucket)
                {
                    Refill(bucket, now);
                    if (bucket.Tokens >= _count)
                    {
                        Remove(key, bucket);
                    }
                }
            }
            if (Volatile.Read(ref _tracked) >= MaxKeys)
            {
                var target = MaxKeys / 4 * 3;
                foreach (var (key, bucket) in _buckets)
                {
                    if (Volatile.Read(ref _tracked) <= target)
                    {
                        break;
                    }
                    lock (bucket)
                    {
                        Remove(key, bucket);
                    }
                }
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private void Remove(string key, Bucket bucket)
    {
        bucket.Removed = true;
        if (_buckets.TryRemove(new KeyValuePair<string, Bucket>(key, bucket)))
        {
            Interlocked.Decrement(ref _tracked);
        }
    }

    private sealed class Bucket(double tokens, long last)
    {
        public double Tokens = tokens;
        public long Last = last;
        public bool Removed;
    }
}
