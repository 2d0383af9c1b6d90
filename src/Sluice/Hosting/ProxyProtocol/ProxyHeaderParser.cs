using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;

namespace Sluice.Hosting.ProxyProtocol;

internal enum ProxyParseStatus
{
    NeedMoreData,
    Done,
    Invalid,
}

/// <summary>
/// What a PROXY header said: the client's and the proxy's addresses as the proxy saw them, or
/// neither (v1 <c>UNKNOWN</c>, v2 <c>LOCAL</c> or an address family other than TCP over IPv4/IPv6),
/// in which case the connection keeps its own addresses.
/// </summary>
internal readonly record struct ProxyHeader(int Version, IPEndPoint? Source, IPEndPoint? Destination);

/// <summary>
/// The HAProxy PROXY protocol header, versions 1 (text) and 2 (binary), parsed from the first bytes
/// of a connection. Pure: no I/O. The header is bounded: 107 bytes for v1 (the protocol's own limit),
/// <see cref="MaxV2Length"/> for v2.
/// </summary>
internal static class ProxyHeaderParser
{
    /// <summary>The longest v1 line, CRLF included (the protocol's limit).</summary>
    public const int MaxV1Length = 107;

    /// <summary>The longest v2 header accepted: 16 fixed bytes and up to 2032 of addresses and TLVs.</summary>
    public const int MaxV2Length = 2048;

    private static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;

    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>Tries to parse a header at the start of <paramref name="buffer"/>; on success <paramref name="consumed"/> is just after it.</summary>
    public static ProxyParseStatus TryParse(ReadOnlySequence<byte> buffer, out ProxyHeader header, out SequencePosition consumed)
    {
        header = default;
        consumed = buffer.Start;
        if (buffer.IsEmpty)
        {
            return ProxyParseStatus.NeedMoreData;
        }
        Span<byte> head = stackalloc byte[16];
        var available = (int)Math.Min(buffer.Length, head.Length);
        buffer.Slice(0, available).CopyTo(head);
        head = head[..available];

        if (StartsLike(head, V1Prefix))
        {
            return head.Length < V1Prefix.Length ? ProxyParseStatus.NeedMoreData : ParseV1(buffer, out header, out consumed);
        }
        if (StartsLike(head, V2Signature))
        {
            return head.Length < 16 ? ProxyParseStatus.NeedMoreData : ParseV2(buffer, head, out header, out consumed);
        }
        return ProxyParseStatus.Invalid;
    }

    /// <summary>True when what has arrived so far agrees with <paramref name="prefix"/>.</summary>
    private static bool StartsLike(ReadOnlySpan<byte> head, ReadOnlySpan<byte> prefix)
    {
        var n = Math.Min(head.Length, prefix.Length);
        return head[..n].SequenceEqual(prefix[..n]);
    }

    private static ProxyParseStatus ParseV1(ReadOnlySequence<byte> buffer, out ProxyHeader header, out SequencePosition consumed)
    {
        header = default;
        consumed = buffer.Start;
        var window = buffer.Slice(0, Math.Min(buffer.Length, MaxV1Length));
        var lf = window.PositionOf((byte)'\n');
        if (lf is null)
        {
            return buffer.Length >= MaxV1Length ? ProxyParseStatus.Invalid : ProxyParseStatus.NeedMoreData;
        }
        var lineWithLf = window.Slice(0, window.GetPosition(1, lf.Value));
        Span<byte> bytes = stackalloc byte[MaxV1Length];
        lineWithLf.CopyTo(bytes);
        var line = bytes[..(int)lineWithLf.Length];
        if (line.Length < 2 || line[^2] != '\r')
        {
            return ProxyParseStatus.Invalid;
        }
        line = line[..^2];
        foreach (var b in line)
        {
            if (b is < 0x20 or > 0x7E)
            {
                return ProxyParseStatus.Invalid;
            }
        }
        var text = Encoding.ASCII.GetString(line);
        var parts = text.Split(' ');
        // "PROXY UNKNOWN" may be followed by anything: the receiver ignores it.
        if (parts.Length >= 2 && parts[1] == "UNKNOWN")
        {
            header = new ProxyHeader(1, null, null);
            consumed = lineWithLf.End;
            return ProxyParseStatus.Done;
        }
        if (parts.Length != 6 || parts[1] is not ("TCP4" or "TCP6"))
        {
            return ProxyParseStatus.Invalid;
        }
        var family = parts[1] == "TCP4" ? System.Net.Sockets.AddressFamily.InterNetwork : System.Net.Sockets.AddressFamily.InterNetworkV6;
        if (!TryAddress(parts[2], family, out var source) || !TryAddress(parts[3], family, out var destination)
            || !TryPort(parts[4], out var sourcePort) || !TryPort(parts[5], out var destinationPort))
        {
            return ProxyParseStatus.Invalid;
        }
        header = new ProxyHeader(1, new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort));
        consumed = lineWithLf.End;
        return ProxyParseStatus.Done;
    }

    private static bool TryAddress(string text, System.Net.Sockets.AddressFamily family, out IPAddress address) =>
        IPAddress.TryParse(text, out address!) && address.AddressFamily == family
        && (family != System.Net.Sockets.AddressFamily.InterNetwork || text.Count(c => c == '.') == 3);

    private static bool TryPort(string text, out int port)
    {
        port = 0;
        if (text.Length is 0 or > 5 || (text.Length > 1 && text[0] == '0') || !text.All(char.IsAsciiDigit))
        {
            return false;
        }
        port = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return port <= 65535;
    }

    private static ProxyParseStatus ParseV2(ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> head, out ProxyHeader header, out SequencePosition consumed)
    {
        header = default;
        consumed = buffer.Start;
        var versionCommand = head[12];
        if (versionCommand >> 4 != 2)
        {
            return ProxyParseStatus.Invalid;
        }
        var command = versionCommand & 0x0F;
        if (command > 1)
        {
            return ProxyParseStatus.Invalid;
        }
        var familyProtocol = head[13];
        var length = BinaryPrimitives.ReadUInt16BigEndian(head[14..16]);
        var total = 16 + length;
        if (total > MaxV2Length)
        {
            return ProxyParseStatus.Invalid;
        }
        if (buffer.Length < total)
        {
            return ProxyParseStatus.NeedMoreData;
        }
        Span<byte> body = stackalloc byte[36];
        var addressBytes = (int)Math.Min(length, body.Length);
        buffer.Slice(16, addressBytes).CopyTo(body);
        consumed = buffer.GetPosition(total);

        if (command == 0)
        {
            // LOCAL: the proxy's own connection (a health check); the real addresses stand.
            header = new ProxyHeader(2, null, null);
            return ProxyParseStatus.Done;
        }
        switch (familyProtocol)
        {
            case 0x11: // TCP over IPv4
                if (length < 12)
                {
                    return ProxyParseStatus.Invalid;
                }
                header = new ProxyHeader(2,
                    new IPEndPoint(new IPAddress(body[..4]), BinaryPrimitives.ReadUInt16BigEndian(body[8..10])),
                    new IPEndPoint(new IPAddress(body[4..8]), BinaryPrimitives.ReadUInt16BigEndian(body[10..12])));
                return ProxyParseStatus.Done;
            case 0x21: // TCP over IPv6
                if (length < 36)
                {
                    return ProxyParseStatus.Invalid;
                }
                header = new ProxyHeader(2,
                    new IPEndPoint(new IPAddress(body[..16]), BinaryPrimitives.ReadUInt16BigEndian(body[32..34])),
                    new IPEndPoint(new IPAddress(body[16..32]), BinaryPrimitives.ReadUInt16BigEndian(body[34..36])));
                return ProxyParseStatus.Done;
            default:
                // UNSPEC, UDP, UNIX sockets: accepted, and the connection keeps its own addresses.
                header = new ProxyHeader(2, null, null);
                return ProxyParseStatus.Done;
        }
    }
}
