using System.Buffers;
using System.Threading.Tasks.Sources;

namespace Sluice.Queue.Log;

/// <summary>
/// A message handed to the writer: its envelope JSON and its staged bytes, and the completion the
/// commit waits on. The transaction is its own record (<see cref="LogTransaction"/> derives from this),
/// and the completion is an <see cref="IValueTaskSource"/>, so a commit allocates no record, task or
/// completion source of its own.
/// </summary>
internal abstract class PendingRecord : IValueTaskSource
{
    // Continuations run on the thread pool, not on the writer thread that completes them.
    private ManualResetValueTaskSourceCore<bool> _done = new() { RunContinuationsAsynchronously = true };
    private byte[]? _envelope;
    private int _envelopeLength;

    /// <summary>The envelope JSON.</summary>
    public ReadOnlySpan<byte> Envelope => _envelope.AsSpan(0, _envelopeLength);

    /// <summary>The message bytes.</summary>
    public abstract LogStagedData Data { get; }

    /// <summary>Completes once a flush covered the record (or its batch failed). One wait per record.</summary>
    public ValueTask Completion => new(this, _done.Version);

    public void Succeed() => _done.SetResult(true);

    public void FailCommit(Exception exception) => _done.SetException(exception);

    /// <summary>Gives the envelope's array back to the pool, once the writer has copied it (or failed).</summary>
    public void ReleaseEnvelope()
    {
        if (_envelope is { } array)
        {
            _envelope = null;
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    /// <summary>Sets the envelope JSON before the record goes to the writer: the first <paramref name="length"/>
    /// bytes of <paramref name="envelope"/>, an array from <see cref="ArrayPool{T}.Shared"/>.</summary>
    protected void SetEnvelope(byte[] envelope, int length)
    {
        _envelope = envelope;
        _envelopeLength = length;
    }

    void IValueTaskSource.GetResult(short token) => _done.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _done.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _done.OnCompleted(continuation, state, token, flags);
}
