using System.Security.Cryptography;
using System.Text;

namespace Sluice.Tests.Session;

/// <summary>
/// A stream between an SMTP client and its socket that watches what the client writes: the command
/// lines, and the message payload of each DATA (dot-stuffing undone, the final <c>.</c> line dropped) or
/// of each BDAT transaction (the chunks' octets). A payload is hashed as it passes, and kept whole only
/// when asked, so a 100 MB message costs no memory here.
/// </summary>
public sealed class RecordingStream(Stream inner, bool keepPayload) : Stream
{
    private readonly MemoryStream _line = new();
    private Mode _mode;
    private long _bdatRemaining;
    private bool _bdatLast;
    private IncrementalHash? _hash;
    private MemoryStream? _payload;
    private long _payloadLength;

    private enum Mode
    {
        Command,
        Data,
        Bdat,
    }

    /// <summary>A message as it went over the wire.</summary>
    public sealed record Payload(bool Chunked, long Length, byte[] Sha256, byte[]? Bytes);

    public List<string> Commands { get; } = [];

    public List<Payload> Payloads { get; } = [];

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Record(buffer);
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Record(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _hash?.Dispose();
            _line.Dispose();
            _payload?.Dispose();
        }
        base.Dispose(disposing);
    }

    private void Record(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_mode == Mode.Bdat)
            {
                var n = (int)Math.Min(data.Length, _bdatRemaining);
                Emit(data[..n]);
                data = data[n..];
                _bdatRemaining -= n;
                if (_bdatRemaining == 0)
                {
                    _mode = Mode.Command;
                    if (_bdatLast)
                    {
                        EndPayload(chunked: true);
                    }
                }
                continue;
            }

            // Command lines and DATA lines: collect up to LF.
            var lf = data.IndexOf((byte)'\n');
            var take = lf < 0 ? data.Length : lf + 1;
            _line.Write(data[..take]);
            data = data[take..];
            if (lf < 0)
            {
                continue;
            }
            var line = _line.GetBuffer().AsSpan(0, (int)_line.Length);
            _line.SetLength(0);
            if (_mode == Mode.Data)
            {
                if (line.SequenceEqual(".\r\n"u8))
                {
                    _mode = Mode.Command;
                    EndPayload(chunked: false);
                }
                else
                {
                    Emit(line.Length > 0 && line[0] == (byte)'.' ? line[1..] : line);
                }
                continue;
            }

            var command = Encoding.UTF8.GetString(line).TrimEnd('\r', '\n');
            Commands.Add(command);
            if (command.Equals("DATA", StringComparison.OrdinalIgnoreCase))
            {
                // The client waits for 354 before it writes the payload: what it writes next is the message.
                BeginPayload();
                _mode = Mode.Data;
            }
            else if (command.StartsWith("BDAT ", StringComparison.OrdinalIgnoreCase))
            {
                var parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                _bdatRemaining = long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
                _bdatLast = parts.Length > 2 && parts[2].Equals("LAST", StringComparison.OrdinalIgnoreCase);
                if (_hash is null)
                {
                    BeginPayload();
                }
                if (_bdatRemaining > 0)
                {
                    _mode = Mode.Bdat;
                }
                else if (_bdatLast)
                {
                    EndPayload(chunked: true);
                }
            }
        }
    }

    private void BeginPayload()
    {
        _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        _payload = keepPayload ? new MemoryStream() : null;
        _payloadLength = 0;
    }

    private void Emit(ReadOnlySpan<byte> bytes)
    {
        _hash!.AppendData(bytes);
        _payload?.Write(bytes);
        _payloadLength += bytes.Length;
    }

    private void EndPayload(bool chunked)
    {
        Payloads.Add(new Payload(chunked, _payloadLength, _hash!.GetHashAndReset(), _payload?.ToArray()));
        _hash.Dispose();
        _hash = null;
        _payload?.Dispose();
        _payload = null;
    }
}
