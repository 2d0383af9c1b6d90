using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;

namespace Sluice.Queue.Log;

/// <summary>One complete record found in a segment.</summary>
/// <param name="Offset">Where the record starts in the segment.</param>
/// <param name="Type">Message or seal.</param>
/// <param name="Envelope">The envelope's JSON bytes (empty for a seal).</param>
/// <param name="DataOffset">Where the message bytes start.</param>
/// <param name="DataLength">How many message bytes there are.</param>
public sealed record LogRecord(long Offset, LogRecordType Type, byte[] Envelope, long DataOffset, long DataLength)
{
    /// <summary>Where the next record starts.</summary>
    public long End => DataOffset + DataLength + LogFormat.RecordTrailerLength;
}

/// <summary>
/// Reads the complete records of a segment, checking every CRC, and stops at the first record that
/// is not complete (the end of what was written, or a torn tail). Never changes the file.
/// </summary>
public static class LogSegmentScanner
{
    private const int CopyBufferSize = 64 * 1024;

    /// <summary>The outcome of a scan.</summary>
    /// <param name="Records">The complete records from the starting offset on, in order.</param>
    /// <param name="ValidEnd">Where the last complete record ends (the header's end if none).</param>
    /// <param name="Length">The file's length when scanned; more than <paramref name="ValidEnd"/> means an incomplete or torn tail.</param>
    /// <param name="HeaderValid">The segment header is there and right (false for an empty or foreign file).</param>
    public sealed record Result(List<LogRecord> Records, long ValidEnd, long Length, bool HeaderValid)
    {
        /// <summary>The last record is a seal: nothing will ever follow.</summary>
        public bool Sealed => Records.Count > 0 && Records[^1].Type == LogRecordType.Seal;
    }

    /// <summary>
    /// Scans <paramref name="stream"/> (seekable) from <paramref name="start"/> (0 or the end of a
    /// complete record), up to <paramref name="limit"/> bytes of it at most.
    /// </summary>
    public static Result Scan(Stream stream, long start = 0, long limit = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var length = Math.Min(stream.Length, limit);
        var records = new List<LogRecord>();
        if (start < LogFormat.SegmentHeaderLength)
        {
            Span<byte> magic = stackalloc byte[LogFormat.SegmentHeaderLength];
            stream.Position = 0;
            if (length < LogFormat.SegmentHeaderLength || stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false) < magic.Length
                || !magic.SequenceEqual(LogFormat.SegmentMagic))
            {
                return new Result(records, 0, length, HeaderValid: false);
            }

            start = LogFormat.SegmentHeaderLength;
        }

        var position = start;
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            while (TryReadRecord(stream, position, length, buffer) is { } record)
            {
                records.Add(record);
                position = record.End;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new Result(records, position, length, HeaderValid: true);
    }

    private static LogRecord? TryReadRecord(Stream stream, long position, long length, byte[] buffer)
    {
        if (length - position < LogFormat.RecordHeaderLength + LogFormat.RecordTrailerLength)
        {
            return null;
        }

        stream.Position = position;
        var header = buffer.AsSpan(0, LogFormat.RecordHeaderLength);
        if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length
            || !LogFormat.TryReadRecordHeader(header, out var type, out var envelopeLength, out var dataLength)
            || LogFormat.RecordLength(envelopeLength, dataLength) > length - position)
        {
            return null;
        }

        var crc = new Crc32();
        var envelope = new byte[envelopeLength];
        if (stream.ReadAtLeast(envelope, envelopeLength, throwOnEndOfStream: false) < envelopeLength)
        {
            return null;
        }

        crc.Append(envelope);
        var remaining = dataLength;
        while (remaining > 0)
        {
            var chunk = buffer.AsSpan(0, (int)Math.Min(remaining, buffer.Length));
            var read = stream.Read(chunk);
            if (read == 0)
            {
                return null;
            }

            crc.Append(chunk[..read]);
            remaining -= read;
        }

        Span<byte> trailer = stackalloc byte[LogFormat.RecordTrailerLength];
        if (stream.ReadAtLeast(trailer, trailer.Length, throwOnEndOfStream: false) < trailer.Length
            || BinaryPrimitives.ReadUInt32LittleEndian(trailer) != crc.GetCurrentHashAsUInt32())
        {
            return null;
        }

        var dataOffset = position + LogFormat.RecordHeaderLength + envelopeLength;
        return new LogRecord(position, type, envelope, dataOffset, dataLength);
    }
}
