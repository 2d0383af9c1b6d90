using System.Buffers;
using System.Reflection;
using System.Text;
using Sluice.Protocol;

namespace Sluice.Tests.Protocol;

public class ReplyTests
{
    private static string Wire(SmtpReply reply) => Encoding.UTF8.GetString(reply.Encoded.Span);

    [Test]
    public void One_line_reply_is_encoded_with_code_enhanced_code_and_crlf()
    {
        var reply = new SmtpReply(250, "2.1.5", "Recipient OK");
        Assert.Multiple(() =>
        {
            Assert.That(Wire(reply), Is.EqualTo("250 2.1.5 Recipient OK\r\n"));
            Assert.That(reply.Code, Is.EqualTo(250));
            Assert.That(reply.EnhancedCode, Is.EqualTo("2.1.5"));
            Assert.That(reply.Text, Is.EqualTo("Recipient OK"));
            Assert.That(reply.IsPositive, Is.True);
        });
    }

    [Test]
    public void Multi_line_reply_uses_dash_on_all_but_the_last_line()
    {
        var reply = new SmtpReply(550, "5.7.1", ["first", "second", "third"]);
        Assert.That(Wire(reply), Is.EqualTo("550-5.7.1 first\r\n550-5.7.1 second\r\n550 5.7.1 third\r\n"));
        Assert.That(reply.IsPermanent, Is.True);
    }

    [Test]
    public void Reply_without_enhanced_code()
    {
        Assert.That(Wire(new SmtpReply(354, null, "go ahead")), Is.EqualTo("354 go ahead\r\n"));
        Assert.That(Wire(new SmtpReply(250, "2.0.0", "")), Is.EqualTo("250 2.0.0\r\n"));
    }

    [TestCase(199, null, "x")]
    [TestCase(600, null, "x")]
    [TestCase(250, "5.0.0", "x")]
    [TestCase(550, "5.0", "x")]
    [TestCase(550, "5.1234.0", "x")]
    [TestCase(550, "3.0.0", "x")]
    [TestCase(550, "5.1.x", "x")]
    [TestCase(550, "5.1.2", "a\r\nb")]
    public void Invalid_replies_are_refused(int code, string? enhanced, string text) =>
        Assert.That(() => new SmtpReply(code, enhanced, text), Throws.InstanceOf<ArgumentException>());

    [Test]
    public void Every_fixed_reply_matches_spec_section_3()
    {
        var expected = new Dictionary<string, string>
        {
            [nameof(SmtpReplies.TooManyConnections)] = "421 4.3.2",
            [nameof(SmtpReplies.IdleTimeout)] = "421 4.4.2",
            [nameof(SmtpReplies.SessionDurationExceeded)] = "421 4.3.2",
            [nameof(SmtpReplies.TransferLimitExceeded)] = "452 4.7.28",
            [nameof(SmtpReplies.ShuttingDown)] = "421 4.3.0",
            [nameof(SmtpReplies.LocalError)] = "421 4.3.0",
            [nameof(SmtpReplies.LocalProcessingError)] = "451 4.3.0",
            [nameof(SmtpReplies.Bye)] = "221 2.0.0",
            [nameof(SmtpReplies.UnknownCommand)] = "500 5.5.1",
            [nameof(SmtpReplies.LineTooLong)] = "554 5.3.4",
            [nameof(SmtpReplies.SyntaxError)] = "501 5.5.2",
            [nameof(SmtpReplies.UnknownParameter)] = "555 5.5.4",
            [nameof(SmtpReplies.InvalidParameterValue)] = "501 5.5.4",
            [nameof(SmtpReplies.DuplicateParameter)] = "501 5.5.4",
            [nameof(SmtpReplies.BadSenderAddress)] = "501 5.1.8",
            [nameof(SmtpReplies.BadRecipientAddress)] = "501 5.1.3",
            [nameof(SmtpReplies.Ok)] = "250 2.0.0",
            [nameof(SmtpReplies.Help)] = "214 2.0.0",
            [nameof(SmtpReplies.EhloBadDomain)] = "550 5.5.0",
            [nameof(SmtpReplies.EhloRequired)] = "503 5.5.1",
            [nameof(SmtpReplies.TransactionInProgress)] = "503 5.5.1",
            [nameof(SmtpReplies.AuthenticationRequired)] = "503 5.5.1",
            [nameof(SmtpReplies.MessageTooBig)] = "552 5.3.4",
            [nameof(SmtpReplies.SenderNotOwned)] = "501 5.5.4",
            [nameof(SmtpReplies.SenderOk)] = "250 2.1.0",
            [nameof(SmtpReplies.TooManyMessages)] = "452 4.4.5",
            [nameof(SmtpReplies.MailRequired)] = "503 5.5.1",
            [nameof(SmtpReplies.MailboxUnknown)] = "550 5.1.2",
            [nameof(SmtpReplies.RelayDenied)] = "550 5.1.2",
            [nameof(SmtpReplies.TooManyRecipients)] = "455 4.5.3",
            [nameof(SmtpReplies.TooManyInvalidRecipients)] = "451 4.3.0",
            [nameof(SmtpReplies.RecipientOk)] = "250 2.1.5",
            [nameof(SmtpReplies.Throttled)] = "452 4.4.5",
            [nameof(SmtpReplies.NonAsciiAddressWithoutSmtpUtf8)] = "553 5.6.7",
            [nameof(SmtpReplies.RecipientRequired)] = "503 5.5.1",
            [nameof(SmtpReplies.StartMailInput)] = "354 ",
            [nameof(SmtpReplies.ChunkOk)] = "250 2.6.0",
            [nameof(SmtpReplies.TooManyReceivedHeaders)] = "450 4.4.6",
            [nameof(SmtpReplies.MessageNotParsable)] = "550 5.7.7",
            [nameof(SmtpReplies.StorageFailure)] = "452 4.3.1",
            [nameof(SmtpReplies.ReadyToStartTls)] = "220 2.0.0",
            [nameof(SmtpReplies.TlsNotAvailable)] = "502 5.7.0",
            [nameof(SmtpReplies.AlreadyTls)] = "504 5.7.4",
            [nameof(SmtpReplies.AuthSucceeded)] = "235 2.7.0",
            [nameof(SmtpReplies.AuthFailed)] = "535 5.7.8",
            [nameof(SmtpReplies.AuthMechanismUnknown)] = "504 5.5.4",
            [nameof(SmtpReplies.AuthNotAvailable)] = "503 5.5.1",
            [nameof(SmtpReplies.AlreadyAuthenticated)] = "503 5.5.1",
            [nameof(SmtpReplies.AuthCancelled)] = "501 5.7.0",
            [nameof(SmtpReplies.AuthBadBase64)] = "501 5.5.2",
            [nameof(SmtpReplies.TooManyAuthFailures)] = "455 4.3.0",
            [nameof(SmtpReplies.VrfyDisabled)] = "252 2.5.1",
            [nameof(SmtpReplies.AddressUnknown)] = "550 5.1.2",
            [nameof(SmtpReplies.ScriptFailed)] = "451 4.3.0",
            [nameof(SmtpReplies.ScriptFailedAtConnect)] = "421 4.3.0",
        };

        var properties = typeof(SmtpReplies).GetProperties(BindingFlags.Public | BindingFlags.Static)
            .Where(p => p.PropertyType == typeof(SmtpReply)).ToList();
        Assert.That(properties.Select(p => p.Name), Is.EquivalentTo(expected.Keys), "every fixed reply is listed here");
        foreach (var property in properties)
        {
            var reply = (SmtpReply)property.GetValue(null)!;
            Assert.That($"{reply.Code} {reply.EnhancedCode}", Is.EqualTo(expected[property.Name]), property.Name);
            Assert.That(Wire(reply), Does.StartWith(expected[property.Name].TrimEnd() + " ").And.EndWith("\r\n"), property.Name);
            Assert.That(reply.Encoded.Span.Count((byte)'\n'), Is.EqualTo(1), property.Name);
        }
    }

    [Test]
    public void Greeting_and_sieve_replies()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Wire(SmtpReplies.Greeting("mx.example.org", "Sluice ESMTP at your service")),
                Is.EqualTo("220 mx.example.org Sluice ESMTP at your service\r\n"));
            Assert.That(Wire(SmtpReplies.SieveReject("not welcome")), Is.EqualTo("503 5.5.3 not welcome\r\n"));
            Assert.That(Wire(SmtpReplies.SieveReject("550 5.7.1 go away")), Is.EqualTo("550 5.7.1 go away\r\n"));
            Assert.That(Wire(SmtpReplies.SieveReject("450 try later")), Is.EqualTo("450 try later\r\n"));
            Assert.That(Wire(SmtpReplies.SieveReject("550 4.7.1 class mismatch")), Is.EqualTo("550 4.7.1 class mismatch\r\n"));
            Assert.That(Wire(SmtpReplies.SieveReject("multi\r\nline")), Is.EqualTo("503 5.5.3 multi line\r\n"));
            Assert.That(Wire(SmtpReplies.SieveRejectAtConnect("blocked")), Is.EqualTo("554 5.7.1 blocked\r\n"));
            Assert.That(Wire(SmtpReplies.SieveRejectAtConnect("421 4.7.0 later")), Is.EqualTo("421 4.7.0 later\r\n"));
        });
    }

    [Test]
    public void Writer_writes_fixed_and_dynamic_replies_into_one_buffer()
    {
        var output = new ArrayBufferWriter<byte>();
        SmtpReplyWriter.Write(output, SmtpReplies.SenderOk);
        SmtpReplyWriter.Write(output, SmtpReplies.RecipientOk);
        SmtpReplyWriter.Write(output, 250, "2.0.0", "Message accepted as ", "01JF8Z3Q4K");
        SmtpReplies.Bye.WriteTo(output);
        Assert.That(Encoding.ASCII.GetString(output.WrittenSpan),
            Is.EqualTo("250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n250 2.0.0 Message accepted as 01JF8Z3Q4K\r\n221 2.0.0 Bye\r\n"));
    }

    [Test]
    public void Writer_neutralises_line_breaks_in_dynamic_text()
    {
        var output = new ArrayBufferWriter<byte>();
        SmtpReplyWriter.Write(output, 550, "5.1.2", "no such user: a\r\n250 ok", default);
        Assert.That(Encoding.ASCII.GetString(output.WrittenSpan), Is.EqualTo("550 5.1.2 no such user: a  250 ok\r\n"));
    }

    [Test]
    public void Writer_does_not_allocate()
    {
        var output = new ArrayBufferWriter<byte>(4096);
        SmtpReplyWriter.Write(output, SmtpReplies.SenderOk);
        SmtpReplyWriter.Write(output, 250, "2.0.0", "Message accepted as ", "abc");
        output.ResetWrittenCount();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            SmtpReplyWriter.Write(output, SmtpReplies.RecipientOk);
            SmtpReplyWriter.Write(output, 250, "2.0.0", "Message accepted as ", "abc");
            output.ResetWrittenCount();
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void Ehlo_reply_lists_capabilities_in_order()
    {
        var cache = new EhloReplyCache();
        var reply = cache.Get(new EhloCapabilities
        {
            Hostname = "mx.example.org",
            Greeting = "Hello",
            Pipelining = true,
            MaxMessageSize = 104857600,
            EightBitMime = true,
            Chunking = true,
            SmtpUtf8 = true,
            Dsn = true,
            DeliverBy = true,
            MtPriorityProfile = "mixer",
            RequireTls = true,
            StartTls = true,
            AuthMechanisms = "PLAIN LOGIN",
            EnhancedStatusCodes = true,
        });
        Assert.That(reply.ToString(DateTimeOffset.UnixEpoch), Is.EqualTo(
            "250-mx.example.org Hello\r\n250-PIPELINING\r\n250-SIZE 104857600\r\n250-8BITMIME\r\n250-CHUNKING\r\n250-BINARYMIME\r\n"
            + "250-SMTPUTF8\r\n250-DSN\r\n250-DELIVERBY\r\n250-MT-PRIORITY MIXER\r\n250-REQUIRETLS\r\n250-STARTTLS\r\n"
            + "250-AUTH PLAIN LOGIN\r\n250 ENHANCEDSTATUSCODES\r\n"));
    }

    [Test]
    public void Ehlo_with_only_the_host_name_is_one_line()
    {
        var reply = new EhloReplyCache().Get(new EhloCapabilities { Hostname = "mx.example.org" });
        Assert.That(reply.ToString(DateTimeOffset.UnixEpoch), Is.EqualTo("250 mx.example.org\r\n"));
    }

    [Test]
    public void Ehlo_future_release_line_carries_the_current_time()
    {
        var now = new DateTimeOffset(2026, 12, 4, 22, 0, 0, TimeSpan.Zero);
        var cache = new EhloReplyCache();
        var withOthers = cache.Get(new EhloCapabilities { Hostname = "h", Pipelining = true, FutureReleaseMaxSeconds = 3600, EnhancedStatusCodes = true });
        var alone = cache.Get(new EhloCapabilities { Hostname = "h", FutureReleaseMaxSeconds = 60 });
        Assert.Multiple(() =>
        {
            Assert.That(withOthers.ToString(now), Is.EqualTo(
                "250-h\r\n250-PIPELINING\r\n250-FUTURERELEASE 3600 2026-12-04T23:00:00Z\r\n250 ENHANCEDSTATUSCODES\r\n"));
            Assert.That(alone.ToString(now), Is.EqualTo("250-h\r\n250 FUTURERELEASE 60 2026-12-04T22:01:00Z\r\n"));
        });
    }

    [Test]
    public void Ehlo_no_soliciting_and_unlimited_size()
    {
        var reply = new EhloReplyCache().Get(new EhloCapabilities { Hostname = "h", MaxMessageSize = 0, NoSoliciting = "net.example:ADV" });
        Assert.That(reply.ToString(DateTimeOffset.UnixEpoch), Is.EqualTo("250-h\r\n250-SIZE\r\n250 NO-SOLICITING net.example:ADV\r\n"));
    }

    [Test]
    public void Ehlo_replies_are_built_once_per_distinct_capability_set()
    {
        var cache = new EhloReplyCache();
        var plain = new EhloCapabilities { Hostname = "h", Pipelining = true, StartTls = true };
        var afterTls = plain with { StartTls = false, AuthMechanisms = "PLAIN" };
        var first = cache.Get(plain);
        var again = cache.Get(new EhloCapabilities { Hostname = "h", Pipelining = true, StartTls = true });
        var other = cache.Get(afterTls);
        Assert.Multiple(() =>
        {
            Assert.That(again, Is.SameAs(first));
            Assert.That(other, Is.Not.SameAs(first));
            Assert.That(cache.Count, Is.EqualTo(2));
        });

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            _ = cache.Get(plain);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, "a cached lookup does not allocate");
    }
}
