using System.Buffers;
using System.Net;
using System.Text;
using Sluice.Protocol;
using Sluice.Session;
using Sluice.Stages;

namespace Sluice.Tests.Session;

/// <summary>The exact bytes of the header fields put on top of a message (SPEC §4), written without strings.</summary>
public class TraceHeadersTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 4, 21, 56, 58, TimeSpan.FromHours(2));

    private static readonly TraceHeaders.Choice s_all = new(Received: true, ReturnPath: true, MessageId: true, Date: true);

    [Test]
    public void Every_field_for_a_plain_esmtp_session_with_one_recipient()
    {
        var session = Session(new IPEndPoint(IPAddress.Parse("192.0.2.7"), 40000));
        session.HeloDomain = "client.example";
        session.IsExtended = true;
        session.OpenTransaction("a@example.org", default);
        session.AddRecipient(new TransactionRecipient("b@example.net", null, DsnNotify.None));

        Assert.That(Write(s_all, session, new HeaderFacts(false, false)), Is.EqualTo(
            "Return-Path: <a@example.org>\r\n"
            + "Received: from client.example (unknown [192.0.2.7])\r\n"
            + "\tby mx.test (Sluice) with ESMTP id QID1\r\n"
            + "\tfor <b@example.net>;\r\n"
            + "\tFri, 04 Dec 2026 19:56:58 +0000\r\n"
            + "Message-ID: <QID1@mx.test>\r\n"
            + "Date: Fri, 04 Dec 2026 19:56:58 +0000\r\n"));
    }

    [Test]
    public void Ipv6_tls_authenticated_utf8_with_two_recipients_and_the_message_own_id_and_date()
    {
        var session = Session(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 40000));
        session.IsExtended = true;
        session.IsTls = true;
        session.TlsProtocol = "TLSv1.3";
        session.TlsCipher = "TLS_AES_256_GCM_SHA384";
        session.AuthenticatedAs = "user";
        session.OpenTransaction("jösé@exämple.org", new EsmtpParameters { Present = SmtpParameters.SmtpUtf8 });
        session.AddRecipient(new TransactionRecipient("b@example.net", null, DsnNotify.None));
        session.AddRecipient(new TransactionRecipient("c@example.net", null, DsnNotify.None));

        Assert.That(Write(s_all, session, new HeaderFacts(HasMessageId: true, HasDate: true)), Is.EqualTo(
            "Return-Path: <jösé@exämple.org>\r\n"
            + "Received: from unknown (unknown [IPv6:2001:db8::1])\r\n"
            + "\tby mx.test (Sluice) with UTF8SMTPSA (TLSv1.3 cipher TLS_AES_256_GCM_SHA384) id QID1;\r\n"
            + "\tFri, 04 Dec 2026 19:56:58 +0000\r\n"));
    }

    [Test]
    public void An_ipv4_mapped_client_is_written_as_ipv4_and_helo_gives_smtp()
    {
        var session = Session(new IPEndPoint(IPAddress.Parse("::ffff:198.51.100.9"), 40000));
        session.HeloDomain = "old.example";
        session.OpenTransaction("", default);
        session.AddRecipient(new TransactionRecipient("b@example.net", null, DsnNotify.None));

        Assert.That(Write(s_all with { ReturnPath = false, Date = false }, session, new HeaderFacts(false, false)), Is.EqualTo(
            "Received: from old.example (unknown [198.51.100.9])\r\n"
            + "\tby mx.test (Sluice) with SMTP id QID1\r\n"
            + "\tfor <b@example.net>;\r\n"
            + "\tFri, 04 Dec 2026 19:56:58 +0000\r\n"
            + "Message-ID: <QID1@mx.test>\r\n"));
    }

    [Test]
    public void Nothing_chosen_writes_nothing()
    {
        var session = Session(null);
        session.OpenTransaction("a@example.org", default);
        Assert.That(Write(default, session, new HeaderFacts(false, false)), Is.Empty);
    }

    private static SmtpSessionInfo Session(IPEndPoint? remote) =>
        new("conn-1", "smtp", remote, new IPEndPoint(IPAddress.Loopback, 25), CancellationToken.None);

    private static string Write(TraceHeaders.Choice choice, SmtpSessionInfo session, HeaderFacts facts)
    {
        var output = new ArrayBufferWriter<byte>(16); // small, so that every write has to grow it
        TraceHeaders.Write(output, new TraceHeaders.Request(choice, session, "mx.test", "QID1", s_now), facts);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
