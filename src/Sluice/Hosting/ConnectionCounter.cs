namespace Sluice.Hosting;

/// <summary>Counts open SMTP connections, in all and per listener, for <c>max-connections</c>.</summary>
public sealed class ConnectionCounter
{
    private readonly Dictionary<string, StrongBox> _perListener = new(StringComparer.Ordinal);
    private int _total;

    /// <summary>Connections open now on every SMTP listener.</summary>
    public int Total => Volatile.Read(ref _total);

    public int For(string listenerId)
    {
        lock (_perListener)
        {
            return _perListener.TryGetValue(listenerId, out var box) ? Volatile.Read(ref box.Value) : 0;
        }
    }

    /// <summary>Takes a slot if both limits allow; false (and nothing taken) otherwise.</summary>
    public bool TryAcquire(string listenerId, int totalLimit, int listenerLimit)
    {
        var box = BoxFor(listenerId);
        if (Interlocked.Increment(ref _total) > totalLimit)
        {
            Interlocked.Decrement(ref _total);
            return false;
        }
        if (Interlocked.Increment(ref box.Value) > listenerLimit)
        {
            Interlocked.Decrement(ref box.Value);
            Interlocked.Decrement(ref _total);
            return false;
        }
        return true;
    }

    public void Release(string listenerId)
    {
        Interlocked.Decrement(ref BoxFor(listenerId).Value);
        Interlocked.Decrement(ref _total);
    }

    private StrongBox BoxFor(string listenerId)
    {
        lock (_perListener)
        {
            if (!_perListener.TryGetValue(listenerId, out var box))
            {
                box = new StrongBox();
                _perListener[listenerId] = box;
            }
            return box;
        }
    }

    private sealed class StrongBox
    {
        public int Value;
    }
}
