using System.Buffers.Binary;
using System.IO.Hashing;

namespace Sluice.Queue.Log;

/// <summary>
/// The bytes of a <c>log</c> store segment (little-endian).
/// </summary>
/// <remarks>
/// <code>
/// segment  = "SLQLOG01" record*
/// record   = header envelope data crc
/// header   = magic "SLQR" (4) | type (1) | version 1 (1) | 0 (2) | envelope length (4)
///            | data length (8) | CRC-32 of the 20 bytes before (4)                         = 24 bytes
/// envelope = the envelope as its <c>.json</c> (<see cref="EnvelopeJson"/>, UTF-8, ends with LF)
/// data     = the message bytes, as a <c>.eml</c> holds them
/// crc      = CRC-32 of envelope and data (4)
/// </code>
/// <para>A record is complete when its header checks, the file holds all of it and the final CRC
/// matches. Readers stop at the first record that is not complete: the end of what was flushed, or a
/// torn tail a crash left (which only the segment's owner, or whoever takes over a dead owner's
/// segments, truncates). The header CRC lets a reader reject garbage lengths before reading them.</para>
/// <para>A <see cref="LogRecordType.Seal"/> record (no envelope, no data) is the last record of a
/// segment its writer will never append to again: a consumer deletes a sealed segment once every
/// message in it is done.</para>
/// </remarks>
public static class LogFormat
{
    /// <summary>The first bytes of every segment.</summary>
    public static ReadOnlySpan<byte> SegmentMagic => "SLQLOG01"u8;

    /// <summary>The length of the segment header.</summary>
    public const int SegmentHeaderLength = 8;

    /// <summary>The length of a record header.</summary>
    public const int RecordHeaderLength = 24;

    /// <summary>The length of a record's trailing CRC.</summary>
    public const int RecordTrailerLength = 4;

    /// <summary>The largest envelope a reader accepts (a header claiming more is garbage).</summary>
    public const int MaxEnvelopeLength = 16 * 1024 * 1024;

    private const uint RecordMagic = 0x52514C53; // "SLQR" little-endian
    private const byte Version = 1;

    /// <summary>Writes a record header for an envelope and data of the given lengths.</summary>
    public static void WriteRecordHeader(Span<byte> destination, LogRecordType type, int envelopeLength, long dataLength)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, RecordMagic);
        destination[4] = (byte)type;
        destination[5] = Version;
        destination[6] = 0;
        destination[7] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], envelopeLength);
        BinaryPrimitives.WriteInt64LittleEndian(destination[12..], dataLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[20..], Crc32.HashToUInt32(destination[..20]));
    }

    /// <summary>Reads a record header; false when it is not a valid one.</summary>
    public static bool TryReadRecordHeader(ReadOnlySpan<byte> source, out LogRecordType type, out int envelopeLength, out long dataLength)
    {
        type = default;
        envelopeLength = 0;
        dataLength = 0;
        if (source.Length < RecordHeaderLength
            || BinaryPrimitives.ReadUInt32LittleEndian(source) != RecordMagic
            || source[5] != Version
            || BinaryPrimitives.ReadUInt32LittleEndian(source[20..]) != Crc32.HashToUInt32(source[..20]))
        {
            return false;
        }

        type = (LogRecordType)source[4];
        envelopeLength = BinaryPrimitives.ReadInt32LittleEndian(source[8..]);
        dataLength = BinaryPrimitives.ReadInt64LittleEndian(source[12..]);
        return type is LogRecordType.Message or LogRecordType.Seal
            && envelopeLength is >= 0 and <= MaxEnvelopeLength
            && dataLength >= 0
            && (type == LogRecordType.Message || (envelopeLength == 0 && dataLength == 0));
    }

    /// <summary>The whole length of a record with this envelope and data.</summary>
    public static long RecordLength(int envelopeLength, long dataLength) =>
        RecordHeaderLength + envelopeLength + dataLength + RecordTrailerLength;

    /// <summary>A whole seal record.</summary>
    public static byte[] SealRecord()
    {
        var record = new byte[RecordHeaderLength + RecordTrailerLength];
        WriteRecordHeader(record, LogRecordType.Seal, 0, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(RecordHeaderLength), new Crc32().GetCurrentHashAsUInt32());
        return record;
    }
}

/// <summary>The kinds of records in a segment.</summary>
public enum LogRecordType : byte
{
    /// <summary>A message: its envelope and its bytes.</summary>
    Message = 1,

    /// <summary>The writer will never append to this segment again.</summary>
    Seal = 2,
}
