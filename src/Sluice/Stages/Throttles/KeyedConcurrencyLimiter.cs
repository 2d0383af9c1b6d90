using System.Collections.Concurrent;

namespace Sluice.Stages.Throttles;

/// <summary>
/// Counts holders per key up to a limit. A key is stored only while someone holds it, so the
/// memory used is bounded by the number of sessions (or transactions) open at once, however many
/// distinct keys pass by. Thread-safe.
/// </summary>
internal sealed class KeyedConcurrencyLimiter(int limit)
{
    /// <summary>How often an acquire retries when it meets a slot being removed at that instant.</summary>
    private const int MaxAttempts = 16;

    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    public int Limit { get; } = limit;

    /// <summary>Keys with at least one holder.</summary>
    public int TrackedKeys => _slots.Count;

    /// <summary>Takes one place for <paramref name="key"/>; false when the key is at its limit.</summary>
    public bool TryAcquire(string key)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var slot = _slots.GetOrAdd(key, static _ => new Slot());
            lock (slot)
            {
                if (slot.Removed)
                {
                    continue;
                }
                if (slot.Count >= Limit)
                {
                    return false;
                }
                slot.Count++;
                return true;
            }
        }
        return false;
    }

    /// <summary>Gives back a place taken by <see cref="TryAcquire"/>; the key is forgotten when its last holder leaves.</summary>
    public void Release(string key)
    {
        if (!_slots.TryGetValue(key, out var slot))
        {
            return;
        }
        lock (slot)
        {
            if (slot.Removed)
            {
                return;
            }
            slot.Count--;
            if (slot.Count <= 0)
            {
                slot.Removed = true;
                _slots.TryRemove(new KeyValuePair<string, Slot>(key, slot));
            }
        }
    }

    /// <summary>Holders of <paramref name="key"/> now.</summary>
    public int CountOf(string key) => _slots.TryGetValue(key, out var slot) ? Volatile.Read(ref slot.Count) : 0;

    private sealed class Slot
    {
        public int Count;
        public bool Removed;
    }
}
