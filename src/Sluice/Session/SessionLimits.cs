namespace Sluice.Session;

/// <summary>Why a session was ended by the server side.</summary>
internal enum SessionEndReason
{
    None,
    Idle,
    Duration,
    Disconnected,
}

/// <summary>
/// The session's time limits as one cancellation token: <c>session.timeout</c> (re-armed after each
/// complete command or data read), <c>session.duration</c>, and the connection closing. Timers come
/// from <see cref="TimeProvider"/>, so tests can drive them with a fake clock; re-arming a timer
/// allocates nothing, unlike a new CancellationTokenSource per command.
/// </summary>
internal sealed class SessionLimits : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly CancellationTokenRegistration _closed;
    private TimeSpan _timeout;
    private ITimer? _idle;
    private ITimer? _duration;
    private int _reason;

    /// <summary>The token, cancelled when the connection closes; the time limits count from <see cref="Start"/>.</summary>
    public SessionLimits(CancellationToken connectionClosed)
    {
        _closed = connectionClosed.Register(static s => ((SessionLimits)s!).End(SessionEndReason.Disconnected), this);
    }

    /// <summary>The token and the clocks, started now.</summary>
    public SessionLimits(TimeProvider time, TimeSpan timeout, TimeSpan duration, CancellationToken connectionClosed)
        : this(connectionClosed) => Start(time, timeout, duration);

    /// <summary>Starts the clocks of <c>session.timeout</c> and <c>session.duration</c>. Called once.</summary>
    public void Start(TimeProvider time, TimeSpan timeout, TimeSpan duration)
    {
        _timeout = timeout;
        _idle = time.CreateTimer(static s => ((SessionLimits)s!).End(SessionEndReason.Idle), this, timeout, Timeout.InfiniteTimeSpan);
        _duration = time.CreateTimer(static s => ((SessionLimits)s!).End(SessionEndReason.Duration), this, duration, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Cancelled when any limit is reached; every read and write of the session uses it.</summary>
    public CancellationToken Token => _cts.Token;

    public SessionEndReason Reason => (SessionEndReason)Volatile.Read(ref _reason);

    /// <summary>A complete command or a data chunk was read: the inactivity clock starts again.</summary>
    public void Touch() => _idle?.Change(_timeout, Timeout.InfiniteTimeSpan);

    private void End(SessionEndReason reason)
    {
        if (Interlocked.CompareExchange(ref _reason, (int)reason, (int)SessionEndReason.None) == (int)SessionEndReason.None)
        {
            try
            {
                _cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The session ended on its own just now.
            }
        }
    }

    public void Dispose()
    {
        _closed.Dispose();
        _idle?.Dispose();
        _duration?.Dispose();
        _cts.Dispose();
    }
}
