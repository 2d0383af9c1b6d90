using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sluice.Stages;

namespace Sluice.Session;

/// <summary>The header fields Sluice puts on top of an accepted message (SPEC §4).</summary>
/// <remarks>Written once per message as UTF-8 straight into a buffer the session keeps, so that a
/// message costs no strings for them (the text used to be built in a StringBuilder, then copied into
/// a string and a byte array: about 1.5 KB per message).</remarks>
internal static class TraceHeaders
{
    private const string DateFormat = "ddd, dd MMM yyyy HH:mm:ss";

    /// <summary>Which fields to add, from <c>session.data.add-headers.*</c> for this session.</summary>
    public readonly record struct Choice(bool Received, bool ReturnPath, bool MessageId, bool Date);

    /// <summary>What the fields of one message are made of, known when its transaction begins.</summary>
    public readonly record struct Request(Choice Choice, SmtpSessionInfo Session, string Hostname, string QueueId, DateTimeOffset Now);

    /// <summary>Appends the fields of <paramref name="request"/> (Message-ID and Date only when <paramref name="facts"/> says they are missing).</summary>
    public static void Write(IBufferWriter<byte> output, in Request request, HeaderFacts facts)
    {
        var choice = request.Choice;
        if (choice.ReturnPath)
        {
            output.Write("Return-Path: <"u8);
            Put(output, request.Session.Sender);
            output.Write(">\r\n"u8);
        }
        if (choice.Received)
        {
            WriteReceived(output, request);
        }
        if (choice.MessageId && !facts.HasMessageId)
        {
            output.Write("Message-ID: <"u8);
            Put(output, request.QueueId);
            output.Write("@"u8);
            Put(output, request.Hostname);
            output.Write(">\r\n"u8);
        }
        if (choice.Date && !facts.HasDate)
        {
            output.Write("Date: "u8);
            WriteDate(output, request.Now);
            output.Write("\r\n"u8);
        }
    }

    /// <summary>RFC 5321 4.4: <c>from &lt;helo&gt; (&lt;reverse&gt; [&lt;ip&gt;]) by &lt;host&gt; (Sluice) with &lt;protocol&gt; id &lt;id&gt; [for &lt;rcpt&gt;]; &lt;date&gt;</c>.</summary>
    private static void WriteReceived(IBufferWriter<byte> output, in Request request)
    {
        var session = request.Session;
        // No reverse DNS lookup is made (yet): the name is "unknown", the address is what counts.
        output.Write("Received: from "u8);
        Put(output, session.HeloDomain ?? "unknown");
        output.Write(" (unknown ["u8);
        WriteAddressLiteral(output, session.RemoteEndPoint?.Address);
        output.Write("])\r\n\tby "u8);
        Put(output, request.Hostname);
        output.Write(" (Sluice) with "u8);
        Put(output, Protocol(session));
        if (session.IsTls)
        {
            output.Write(" ("u8);
            Put(output, session.TlsProtocol);
            output.Write(" cipher "u8);
            Put(output, session.TlsCipher);
            output.Write(")"u8);
        }
        output.Write(" id "u8);
        Put(output, request.QueueId);
        if (session.Recipients.Count == 1)
        {
            output.Write("\r\n\tfor <"u8);
            Put(output, session.Recipients[0].Address);
            output.Write(">"u8);
        }
        output.Write(";\r\n\t"u8);
        WriteDate(output, request.Now);
        output.Write("\r\n"u8);
    }

    /// <summary>RFC 3848 protocol names (on an LMTP listener LMTP, LMTPS, LMTPA, LMTPSA); with SMTPUTF8,
    /// RFC 6531 3.7.3's UTF8SMTP family.</summary>
    private static string Protocol(SmtpSessionInfo session) =>
        (session.IsLmtp, session.IsTls, session.AuthenticatedAs is not null) switch
        {
            (true, false, false) => "LMTP",
            (true, true, false) => "LMTPS",
            (true, false, true) => "LMTPA",
            (true, true, true) => "LMTPSA",
            _ => SmtpProtocol(session),
        };

    private static string SmtpProtocol(SmtpSessionInfo session) =>
        (session.IsExtended, session.IsTls, session.AuthenticatedAs is not null, session.MailParameters.SmtpUtf8) switch
        {
            (false, _, _, _) => "SMTP",
            (true, false, false, false) => "ESMTP",
            (true, true, false, false) => "ESMTPS",
            (true, false, true, false) => "ESMTPA",
            (true, true, true, false) => "ESMTPSA",
            (true, false, false, true) => "UTF8SMTP",
            (true, true, false, true) => "UTF8SMTPS",
            (true, false, true, true) => "UTF8SMTPA",
            (true, true, true, true) => "UTF8SMTPSA",
        };

    private static void WriteAddressLiteral(IBufferWriter<byte> output, IPAddress? address)
    {
        if (address is null)
        {
            output.Write("unknown"u8);
            return;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            output.Write("IPv6:"u8);
        }
        // The longest IPv6 text with a scope id is well under 64 bytes.
        var span = output.GetSpan(64);
        if (!address.TryFormat(span, out var written))
        {
            throw new InvalidOperationException("An IP address did not fit its text buffer.");
        }
        output.Advance(written);
    }

    /// <summary>RFC 5322 3.3 date-time in UTC, e.g. <c>Fri, 04 Dec 2026 21:56:58 +0000</c>.</summary>
    private static void WriteDate(IBufferWriter<byte> output, DateTimeOffset now)
    {
        Span<char> text = stackalloc char[40];
        if (!now.UtcDateTime.TryFormat(text, out var written, DateFormat, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A date did not fit its text buffer.");
        }
        Put(output, text[..written]);
        output.Write(" +0000"u8);
    }

    private static void Put(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}
