using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sluice.Stages;

namespace Sluice.Session;

/// <summary>The header fields Sluice puts on top of an accepted message (SPEC §4).</summary>
internal static class TraceHeaders
{
    /// <summary>Which fields to add, from <c>session.data.add-headers.*</c> for this session.</summary>
    public readonly record struct Choice(bool Received, bool ReturnPath, bool MessageId, bool Date);

    public static byte[] Build(Choice choice, HeaderFacts facts, SmtpSessionInfo session, string hostname, string queueId, DateTimeOffset now)
    {
        var text = new StringBuilder(256);
        if (choice.ReturnPath)
        {
            text.Append("Return-Path: <").Append(session.Sender).Append(">\r\n");
        }
        if (choice.Received)
        {
            AppendReceived(text, session, hostname, queueId, now);
        }
        if (choice.MessageId && !facts.HasMessageId)
        {
            text.Append("Message-ID: <").Append(queueId).Append('@').Append(hostname).Append(">\r\n");
        }
        if (choice.Date && !facts.HasDate)
        {
            text.Append("Date: ").Append(Rfc5322Date(now)).Append("\r\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>RFC 5321 4.4: <c>from &lt;helo&gt; (&lt;reverse&gt; [&lt;ip&gt;]) by &lt;host&gt; (Sluice) with &lt;protocol&gt; id &lt;id&gt; [for &lt;rcpt&gt;]; &lt;date&gt;</c>.</summary>
    private static void AppendReceived(StringBuilder text, SmtpSessionInfo session, string hostname, string queueId, DateTimeOffset now)
    {
        // No reverse DNS lookup is made (yet): the name is "unknown", the address is what counts.
        text.Append("Received: from ").Append(session.HeloDomain ?? "unknown")
            .Append(" (unknown [").Append(AddressLiteral(session.RemoteEndPoint?.Address)).Append("])\r\n")
            .Append("\tby ").Append(hostname).Append(" (Sluice) with ").Append(Protocol(session));
        if (session.IsTls)
        {
            text.Append(" (").Append(session.TlsProtocol).Append(" cipher ").Append(session.TlsCipher).Append(')');
        }
        text.Append(" id ").Append(queueId);
        if (session.Recipients.Count == 1)
        {
            text.Append("\r\n\tfor <").Append(session.Recipients[0].Address).Append('>');
        }
        text.Append(";\r\n\t").Append(Rfc5322Date(now)).Append("\r\n");
    }

    /// <summary>RFC 3848 protocol names; with SMTPUTF8, RFC 6531 3.7.3's UTF8SMTP family.</summary>
    private static string Protocol(SmtpSessionInfo session) =>
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

    private static string AddressLiteral(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        return address.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6:" + address : address.ToString();
    }

    /// <summary>RFC 5322 3.3 date-time, e.g. <c>Fri, 04 Dec 2026 21:56:58 +0000</c>.</summary>
    public static string Rfc5322Date(DateTimeOffset now) =>
        now.ToUniversalTime().ToString("ddd, dd MMM yyyy HH:mm:ss", CultureInfo.InvariantCulture) + " +0000";
}
