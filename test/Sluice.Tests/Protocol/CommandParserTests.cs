using System.Text;
using Sluice.Protocol;

namespace Sluice.Tests.Protocol;

public class CommandParserTests
{
    private static SmtpCommand Parse(string line) => SmtpCommandReader.Parse(Encoding.UTF8.GetBytes(line));

    private static string Reply(SmtpCommand command)
    {
        var reply = SmtpReplies.ForError(command.Error);
        return $"{reply.Code} {reply.EnhancedCode}";
    }

    private static void AssertRefused(string line, string expectedReply)
    {
        var command = Parse(line);
        Assert.That(command.IsValid, Is.False, line);
        Assert.That(Reply(command), Is.EqualTo(expectedReply), line);
    }

    [TestCase("EHLO mx.example.org", SmtpVerb.Ehlo)]
    [TestCase("ehlo mx.example.org", SmtpVerb.Ehlo)]
    [TestCase("HELO mx.example.org", SmtpVerb.Helo)]
    [TestCase("MAIL FROM:<a@b.example>", SmtpVerb.Mail)]
    [TestCase("mAiL fRoM:<a@b.example>", SmtpVerb.Mail)]
    [TestCase("RCPT TO:<a@b.example>", SmtpVerb.Rcpt)]
    [TestCase("rcpt to:<a@b.example>", SmtpVerb.Rcpt)]
    [TestCase("DATA", SmtpVerb.Data)]
    [TestCase("data", SmtpVerb.Data)]
    [TestCase("RSET", SmtpVerb.Rset)]
    [TestCase("NOOP", SmtpVerb.Noop)]
    [TestCase("NOOP anything at all", SmtpVerb.Noop)]
    [TestCase("QUIT", SmtpVerb.Quit)]
    [TestCase("VRFY jane", SmtpVerb.Vrfy)]
    [TestCase("EXPN list", SmtpVerb.Expn)]
    [TestCase("HELP", SmtpVerb.Help)]
    [TestCase("HELP MAIL", SmtpVerb.Help)]
    [TestCase("BDAT 10", SmtpVerb.Bdat)]
    [TestCase("STARTTLS", SmtpVerb.StartTls)]
    [TestCase("StartTls", SmtpVerb.StartTls)]
    [TestCase("AUTH PLAIN", SmtpVerb.Auth)]
    [TestCase("DATA ", SmtpVerb.Data)]
    public void Valid_commands_parse_to_their_verb(string line, SmtpVerb verb)
    {
        var command = Parse(line);
        Assert.Multiple(() =>
        {
            Assert.That(command.Verb, Is.EqualTo(verb));
            Assert.That(command.Error, Is.EqualTo(SmtpCommandError.None));
        });
    }

    [TestCase("")]
    [TestCase("FOO")]
    [TestCase("MAILX FROM:<a@b.example>")]
    [TestCase("MAI")]
    [TestCase("STARTTLSX")]
    [TestCase("PROXY TCP4 1.2.3.4 5.6.7.8 1 2")]
    [TestCase(" MAIL FROM:<a@b.example>")]
    [TestCase("M\u00c1IL FROM:<a@b.example>")]
    public void Unknown_commands_are_500_5_5_1(string line)
    {
        AssertRefused(line, "500 5.5.1");
        Assert.That(Parse(line).Verb, Is.EqualTo(SmtpVerb.Unknown));
    }

    [TestCase("EHLO")]
    [TestCase("EHLO ")]
    [TestCase("HELO")]
    [TestCase("DATA x")]
    [TestCase("RSET now")]
    [TestCase("QUIT please")]
    [TestCase("STARTTLS x")]
    [TestCase("VRFY")]
    [TestCase("EXPN  ")]
    [TestCase("MAIL")]
    [TestCase("MAIL TO:<a@b.example>")]
    [TestCase("MAIL FROM:")]
    [TestCase("MAIL FROM: ")]
    [TestCase("RCPT FROM:<a@b.example>")]
    [TestCase("RCPT TO:")]
    [TestCase("MAIL FROM:<a@b.example>SIZE=1")]
    [TestCase("BDAT")]
    [TestCase("BDAT x")]
    [TestCase("BDAT -1")]
    [TestCase("BDAT 10 FIRST")]
    [TestCase("BDAT 10 LAST x")]
    [TestCase("BDAT 1234567890123456789")]
    [TestCase("AUTH")]
    [TestCase("AUTH PL@IN")]
    [TestCase("AUTH PLAIN a b")]
    [TestCase("AUTH ABCDEFGHIJKLMNOPQRSTU")]
    [TestCase("MAIL FROM:<a@b.example> S!ZE=1")]
    [TestCase("MAIL FROM:<a@b.example> =1")]
    [TestCase("MAIL FROM:<a@b.example>\nRCPT TO:<c@d.example>")]
    [TestCase("NOOP\r")]
    [TestCase("DATA\nQUIT")]
    public void Syntax_errors_are_501_5_5_2(string line) => AssertRefused(line, "501 5.5.2");

    [TestCase("EHLO mx.example.org", "mx.example.org", HeloDomainKind.FullyQualified)]
    [TestCase("EHLO  mx.example.org  ", "mx.example.org", HeloDomainKind.FullyQualified)]
    [TestCase("EHLO localhost", "localhost", HeloDomainKind.SingleLabel)]
    [TestCase("EHLO [192.0.2.1]", "[192.0.2.1]", HeloDomainKind.AddressLiteral)]
    [TestCase("EHLO [IPv6:2001:db8::1]", "[IPv6:2001:db8::1]", HeloDomainKind.AddressLiteral)]
    [TestCase("EHLO [300.0.2.1]", "[300.0.2.1]", HeloDomainKind.Invalid)]
    [TestCase("EHLO my_host", "my_host", HeloDomainKind.Invalid)]
    [TestCase("EHLO 192.0.2.1", "192.0.2.1", HeloDomainKind.Invalid)]
    [TestCase("EHLO 12345", "12345", HeloDomainKind.Invalid)]
    [TestCase("EHLO -bad.example", "-bad.example", HeloDomainKind.Invalid)]
    [TestCase("EHLO bad-.example", "bad-.example", HeloDomainKind.Invalid)]
    [TestCase("EHLO trailing.dot.", "trailing.dot.", HeloDomainKind.Invalid)]
    [TestCase("HELO mx.example.org extra words", "mx.example.org", HeloDomainKind.FullyQualified)]
    [TestCase("EHLO b\u00fccher.example", "b\u00fccher.example", HeloDomainKind.FullyQualified)]
    public void Ehlo_keeps_the_name_and_classifies_it(string line, string domain, HeloDomainKind kind)
    {
        var command = Parse(line);
        Assert.Multiple(() =>
        {
            Assert.That(command.IsValid, Is.True);
            Assert.That(command.Domain, Is.EqualTo(domain));
            Assert.That(command.DomainKind, Is.EqualTo(kind));
        });
    }

    [TestCase("MAIL FROM:<jane@example.org>", "jane@example.org", "jane", "example.org")]
    [TestCase("MAIL FROM: <jane@example.org>", "jane@example.org", "jane", "example.org")]
    [TestCase("MAIL FROM:<@relay1.example,@relay2.example:jane@example.org>", "jane@example.org", "jane", "example.org")]
    [TestCase("MAIL FROM:<@relay1.example:jane@example.org>", "jane@example.org", "jane", "example.org")]
    [TestCase("MAIL FROM:<\"john doe\"@example.org>", "\"john doe\"@example.org", "\"john doe\"", "example.org")]
    [TestCase("MAIL FROM:<\"a>b@c\"@example.org>", "\"a>b@c\"@example.org", "\"a>b@c\"", "example.org")]
    [TestCase("MAIL FROM:<\"quote\\\"d\"@example.org>", "\"quote\\\"d\"@example.org", "\"quote\\\"d\"", "example.org")]
    [TestCase("MAIL FROM:<first.last+tag@sub.example.org>", "first.last+tag@sub.example.org", "first.last+tag", "sub.example.org")]
    [TestCase("MAIL FROM:<!#$%&'*+-/=?^_`{|}~@example.org>", "!#$%&'*+-/=?^_`{|}~@example.org", "!#$%&'*+-/=?^_`{|}~", "example.org")]
    [TestCase("MAIL FROM:<user@[192.0.2.1]>", "user@[192.0.2.1]", "user", "[192.0.2.1]")]
    [TestCase("MAIL FROM:<user@[IPv6:2001:db8::1]>", "user@[IPv6:2001:db8::1]", "user", "[IPv6:2001:db8::1]")]
    [TestCase("MAIL FROM:<user@[IPv6:::ffff:192.0.2.1]>", "user@[IPv6:::ffff:192.0.2.1]", "user", "[IPv6:::ffff:192.0.2.1]")]
    [TestCase("MAIL FROM:<user@[x-tag:anything]>", "user@[x-tag:anything]", "user", "[x-tag:anything]")]
    [TestCase("MAIL FROM:<j\u00f6rg@b\u00fccher.example>", "j\u00f6rg@b\u00fccher.example", "j\u00f6rg", "b\u00fccher.example")]
    public void Mail_paths_are_parsed(string line, string address, string local, string domain)
    {
        var command = Parse(line);
        Assert.Multiple(() =>
        {
            Assert.That(command.Error, Is.EqualTo(SmtpCommandError.None));
            Assert.That(command.Path.Address, Is.EqualTo(address));
            Assert.That(command.Path.LocalPart, Is.EqualTo(local));
            Assert.That(command.Path.Domain, Is.EqualTo(domain));
            Assert.That(command.Path.IsNull, Is.False);
            Assert.That(command.Path.HasNonAscii, Is.EqualTo(address.Any(c => c > 127)));
        });
    }

    [Test]
    public void Null_reverse_path_is_accepted_in_mail_only()
    {
        var mail = Parse("MAIL FROM:<>");
        Assert.Multiple(() =>
        {
            Assert.That(mail.IsValid, Is.True);
            Assert.That(mail.Path.IsNull, Is.True);
            Assert.That(mail.Path.Address, Is.Empty);
            Assert.That(mail.Path, Is.EqualTo(SmtpPath.Null));
        });
        AssertRefused("RCPT TO:<>", "501 5.1.3");
    }

    [TestCase("RCPT TO:<postmaster>", "postmaster")]
    [TestCase("RCPT TO:<PostMaster>", "PostMaster")]
    public void Bare_postmaster_is_a_valid_recipient(string line, string address)
    {
        var command = Parse(line);
        Assert.Multiple(() =>
        {
            Assert.That(command.IsValid, Is.True);
            Assert.That(command.Path.IsPostmaster, Is.True);
            Assert.That(command.Path.Address, Is.EqualTo(address));
            Assert.That(command.Path.Domain, Is.Empty);
        });
        AssertRefused("MAIL FROM:<postmaster>", "501 5.1.8");
        AssertRefused("RCPT TO:<\"postmaster\">", "501 5.1.3");
        Assert.That(Parse("RCPT TO:<postmaster@example.org>").Path.IsPostmaster, Is.False);
    }

    [TestCase("a@b.example")]
    [TestCase("<a@b.example")]
    [TestCase("<a@b.example> x")]
    [TestCase("<a>")]
    [TestCase("<@b.example>")]
    [TestCase("<a@>")]
    [TestCase("<.a@b.example>")]
    [TestCase("<a.@b.example>")]
    [TestCase("<a..b@b.example>")]
    [TestCase("<a b@b.example>")]
    [TestCase("<a@b..example>")]
    [TestCase("<a@b.example.>")]
    [TestCase("<a@-b.example>")]
    [TestCase("<a@b_c.example>")]
    [TestCase("<a@[192.0.2]>")]
    [TestCase("<a@[192.0.2.256]>")]
    [TestCase("<a@[IPv6:nonsense]>")]
    [TestCase("<a@[IPv6:fe80::1%eth0]>")]
    [TestCase("<a@[]>")]
    [TestCase("<\"unterminated@b.example>")]
    [TestCase("<@relay.example:>")]
    [TestCase("<@relay.example,a@b.example>")]
    [TestCase("<@:a@b.example>")]
    [TestCase("<a@b@c.example>")]
    [TestCase("<a(comment)@b.example>")]
    public void Bad_sender_addresses_are_501_5_1_8_and_bad_recipients_501_5_1_3(string path)
    {
        // "<a@b.example> x" leaves an unknown keyword-less token: it is a parameter syntax problem.
        if (path.EndsWith(" x", StringComparison.Ordinal))
        {
            AssertRefused("MAIL FROM:" + path, "555 5.5.4");
            return;
        }

        AssertRefused("MAIL FROM:" + path, "501 5.1.8");
        AssertRefused("RCPT TO:" + path, "501 5.1.3");
    }

    [Test]
    public void Invalid_utf8_in_an_address_is_a_bad_address()
    {
        var line = Encoding.ASCII.GetBytes("MAIL FROM:<a\u0001@b.example>").ToArray();
        line[12] = 0xFF; // a lone 0xFF is never UTF-8
        var command = SmtpCommandReader.Parse(line);
        Assert.That(command.Error, Is.EqualTo(SmtpCommandError.BadSenderAddress));
    }

    [Test]
    public void Domain_labels_over_63_octets_are_refused()
    {
        string label = new('a', 64);
        AssertRefused($"RCPT TO:<a@{label}.example>", "501 5.1.3");
        Assert.That(Parse($"RCPT TO:<a@{label[..63]}.example>").IsValid, Is.True);
    }

    [Test]
    public void All_mail_parameters_parse_together()
    {
        var command = Parse("MAIL FROM:<a@b.example> SIZE=12345 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ+2B314 BY=120;RT "
            + "HOLDFOR=600 MT-PRIORITY=-3 REQUIRETLS AUTH=jane+40example.org");
        var p = command.Parameters;
        Assert.Multiple(() =>
        {
            Assert.That(command.Error, Is.EqualTo(SmtpCommandError.None));
            Assert.That(p.Size, Is.EqualTo(12345));
            Assert.That(p.Body, Is.EqualTo(SmtpBodyType.EightBitMime));
            Assert.That(p.SmtpUtf8, Is.True);
            Assert.That(p.Ret, Is.EqualTo(DsnReturn.Headers));
            Assert.That(p.EnvelopeId, Is.EqualTo("QQ+314"));
            Assert.That(p.ByTime, Is.EqualTo(120));
            Assert.That(p.ByMode, Is.EqualTo(DeliverByMode.Return));
            Assert.That(p.ByTrace, Is.True);
            Assert.That(p.HoldFor, Is.EqualTo(600));
            Assert.That(p.MtPriority, Is.EqualTo(-3));
            Assert.That(p.RequireTls, Is.True);
            Assert.That(p.AuthMailbox, Is.EqualTo("jane@example.org"));
            Assert.That(p.Present, Is.EqualTo(SmtpParameters.Size | SmtpParameters.Body | SmtpParameters.SmtpUtf8 | SmtpParameters.Ret
                | SmtpParameters.EnvId | SmtpParameters.By | SmtpParameters.HoldFor | SmtpParameters.MtPriority
                | SmtpParameters.RequireTls | SmtpParameters.Auth));
        });
    }

    [Test]
    public void No_parameters_means_none_present_and_7bit()
    {
        var command = Parse("MAIL FROM:<a@b.example>");
        Assert.Multiple(() =>
        {
            Assert.That(command.Parameters.Present, Is.EqualTo(SmtpParameters.None));
            Assert.That(command.Parameters.Body, Is.EqualTo(SmtpBodyType.SevenBit));
            Assert.That(command.Parameters.Notify, Is.EqualTo(DsnNotify.None));
        });
    }

    [TestCase("size=0", SmtpParameters.Size)]
    [TestCase("SIZE=99999999999999999999", SmtpParameters.Size)]
    [TestCase("body=7bit", SmtpParameters.Body)]
    [TestCase("BODY=BINARYMIME", SmtpParameters.Body)]
    [TestCase("smtputf8", SmtpParameters.SmtpUtf8)]
    [TestCase("RET=full", SmtpParameters.Ret)]
    [TestCase("ENVID=abc", SmtpParameters.EnvId)]
    [TestCase("BY=-10;R", SmtpParameters.By)]
    [TestCase("BY=+5;n", SmtpParameters.By)]
    [TestCase("BY=999999999;Nt", SmtpParameters.By)]
    [TestCase("HOLDFOR=0", SmtpParameters.HoldFor)]
    [TestCase("HOLDUNTIL=2030-01-02T03:04:05Z", SmtpParameters.HoldUntil)]
    [TestCase("HOLDUNTIL=2030-01-02T03:04:05.25+02:00", SmtpParameters.HoldUntil)]
    [TestCase("MT-PRIORITY=9", SmtpParameters.MtPriority)]
    [TestCase("mt-priority=+4", SmtpParameters.MtPriority)]
    [TestCase("MT-PRIORITY=-9", SmtpParameters.MtPriority)]
    [TestCase("RequireTLS", SmtpParameters.RequireTls)]
    [TestCase("AUTH=<>", SmtpParameters.Auth)]
    public void Each_mail_parameter_is_reported_present(string parameter, SmtpParameters expected)
    {
        var command = Parse("MAIL FROM:<a@b.example> " + parameter);
        Assert.Multiple(() =>
        {
            Assert.That(command.Error, Is.EqualTo(SmtpCommandError.None), parameter);
            Assert.That(command.Parameters.Present, Is.EqualTo(expected));
            Assert.That(command.Parameters.Has(expected), Is.True);
        });
    }

    [Test]
    public void Parameter_values_are_decoded()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Parse("MAIL FROM:<> SIZE=99999999999999999999").Parameters.Size, Is.EqualTo(long.MaxValue));
            Assert.That(Parse("MAIL FROM:<> SIZE=9223372036854775807").Parameters.Size, Is.EqualTo(long.MaxValue));
            Assert.That(Parse("MAIL FROM:<> SIZE=000123").Parameters.Size, Is.EqualTo(123));
            Assert.That(Parse("MAIL FROM:<> BODY=binarymime").Parameters.Body, Is.EqualTo(SmtpBodyType.BinaryMime));
            Assert.That(Parse("MAIL FROM:<> RET=FULL").Parameters.Ret, Is.EqualTo(DsnReturn.Full));
            Assert.That(Parse("MAIL FROM:<> HOLDUNTIL=2030-01-02T03:04:05.25+02:00").Parameters.HoldUntil,
                Is.EqualTo(new DateTimeOffset(2030, 1, 2, 1, 4, 5, 250, TimeSpan.Zero)));
            Assert.That(Parse("MAIL FROM:<> BY=-10;R").Parameters.ByTime, Is.EqualTo(-10));
            Assert.That(Parse("MAIL FROM:<> BY=5;N").Parameters.ByTrace, Is.False);
            Assert.That(Parse("MAIL FROM:<> MT-PRIORITY=+4").Parameters.MtPriority, Is.EqualTo(4));
            Assert.That(Parse("MAIL FROM:<> AUTH=<>").Parameters.AuthMailbox, Is.EqualTo("<>"));
        });
    }

    [TestCase("NOTIFY=NEVER", DsnNotify.Never)]
    [TestCase("NOTIFY=SUCCESS", DsnNotify.Success)]
    [TestCase("notify=success,failure", DsnNotify.Success | DsnNotify.Failure)]
    [TestCase("NOTIFY=DELAY,FAILURE,SUCCESS", DsnNotify.Success | DsnNotify.Failure | DsnNotify.Delay)]
    public void Notify_is_parsed(string parameter, DsnNotify expected)
    {
        var command = Parse("RCPT TO:<a@b.example> " + parameter);
        Assert.Multiple(() =>
        {
            Assert.That(command.IsValid, Is.True);
            Assert.That(command.Parameters.Notify, Is.EqualTo(expected));
            Assert.That(command.Parameters.Present, Is.EqualTo(SmtpParameters.Notify));
        });
    }

    [TestCase("ORCPT=rfc822;a@b.example", "rfc822;a@b.example")]
    [TestCase("ORCPT=RFC822;jane+2Bdoe@example.org", "RFC822;jane+doe@example.org")]
    [TestCase("ORCPT=utf-8;j\u00f6rg@example.org", "utf-8;j\u00f6rg@example.org")]
    public void Orcpt_keeps_its_type_and_decodes_xtext(string parameter, string expected)
    {
        var command = Parse("RCPT TO:<a@b.example> " + parameter);
        Assert.Multiple(() =>
        {
            Assert.That(command.IsValid, Is.True);
            Assert.That(command.Parameters.OriginalRecipient, Is.EqualTo(expected));
        });
    }

    [Test]
    public void Rcpt_with_notify_and_orcpt()
    {
        var command = Parse("RCPT TO:<a@b.example> NOTIFY=FAILURE,DELAY ORCPT=rfc822;a+40b.example");
        Assert.Multiple(() =>
        {
            Assert.That(command.IsValid, Is.True);
            Assert.That(command.Parameters.Present, Is.EqualTo(SmtpParameters.Notify | SmtpParameters.Orcpt));
            Assert.That(command.Parameters.OriginalRecipient, Is.EqualTo("rfc822;a@b.example"));
        });
    }

    [TestCase("MAIL FROM:<a@b.example> FOO=bar")]
    [TestCase("MAIL FROM:<a@b.example> XFORWARD")]
    [TestCase("MAIL FROM:<a@b.example> SIZE=1 FOO")]
    [TestCase("MAIL FROM:<a@b.example> NOTIFY=NEVER")]
    [TestCase("MAIL FROM:<a@b.example> ORCPT=rfc822;a@b")]
    [TestCase("RCPT TO:<a@b.example> SIZE=10")]
    [TestCase("RCPT TO:<a@b.example> BODY=8BITMIME")]
    [TestCase("RCPT TO:<a@b.example> SMTPUTF8")]
    [TestCase("RCPT TO:<a@b.example> RET=FULL")]
    [TestCase("RCPT TO:<a@b.example> ENVID=x")]
    [TestCase("RCPT TO:<a@b.example> BY=10;R")]
    [TestCase("RCPT TO:<a@b.example> HOLDFOR=10")]
    [TestCase("RCPT TO:<a@b.example> MT-PRIORITY=1")]
    [TestCase("RCPT TO:<a@b.example> REQUIRETLS")]
    [TestCase("RCPT TO:<a@b.example> AUTH=<>")]
    [TestCase("RCPT TO:<a@b.example> FOO")]
    public void Unknown_parameters_are_555_5_5_4(string line)
    {
        AssertRefused(line, "555 5.5.4");
        Assert.That(Parse(line).Error, Is.EqualTo(SmtpCommandError.UnknownParameter));
    }

    [TestCase("MAIL FROM:<> SIZE", SmtpParameters.Size)]
    [TestCase("MAIL FROM:<> SIZE=", SmtpParameters.Size)]
    [TestCase("MAIL FROM:<> SIZE=12a", SmtpParameters.Size)]
    [TestCase("MAIL FROM:<> SIZE=-1", SmtpParameters.Size)]
    [TestCase("MAIL FROM:<> SIZE=123456789012345678901", SmtpParameters.Size)]
    [TestCase("MAIL FROM:<> BODY=9BIT", SmtpParameters.Body)]
    [TestCase("MAIL FROM:<> BODY", SmtpParameters.Body)]
    [TestCase("MAIL FROM:<> SMTPUTF8=yes", SmtpParameters.SmtpUtf8)]
    [TestCase("MAIL FROM:<> SMTPUTF8=", SmtpParameters.SmtpUtf8)]
    [TestCase("MAIL FROM:<> RET=NONE", SmtpParameters.Ret)]
    [TestCase("MAIL FROM:<> ENVID=", SmtpParameters.EnvId)]
    [TestCase("MAIL FROM:<> ENVID=a+2", SmtpParameters.EnvId)]
    [TestCase("MAIL FROM:<> ENVID=a+ZZ", SmtpParameters.EnvId)]
    [TestCase("MAIL FROM:<> ENVID=a+0A", SmtpParameters.EnvId)]
    [TestCase("MAIL FROM:<> ENVID=\u00e9t\u00e9", SmtpParameters.EnvId)]
    [TestCase("RCPT TO:<a@b.example> NOTIFY=", SmtpParameters.Notify)]
    [TestCase("RCPT TO:<a@b.example> NOTIFY=NEVER,SUCCESS", SmtpParameters.Notify)]
    [TestCase("RCPT TO:<a@b.example> NOTIFY=SUCCESS,NEVER", SmtpParameters.Notify)]
    [TestCase("RCPT TO:<a@b.example> NOTIFY=SUCCESS,SUCCESS", SmtpParameters.Notify)]
    [TestCase("RCPT TO:<a@b.example> NOTIFY=SUCCESS,", SmtpParameters.Notify)]
    [TestCase("RCPT TO:<a@b.example> NOTIFY=ALWAYS", SmtpParameters.Notify)]
    [TestCase("RCPT TO:<a@b.example> ORCPT=rfc822", SmtpParameters.Orcpt)]
    [TestCase("RCPT TO:<a@b.example> ORCPT=;a@b.example", SmtpParameters.Orcpt)]
    [TestCase("RCPT TO:<a@b.example> ORCPT=rfc822;", SmtpParameters.Orcpt)]
    [TestCase("RCPT TO:<a@b.example> ORCPT=rfc822;a+2", SmtpParameters.Orcpt)]
    [TestCase("RCPT TO:<a@b.example> ORCPT=rfc822;j\u00f6rg@b.example", SmtpParameters.Orcpt)]
    [TestCase("MAIL FROM:<> BY=10", SmtpParameters.By)]
    [TestCase("MAIL FROM:<> BY=;R", SmtpParameters.By)]
    [TestCase("MAIL FROM:<> BY=10;X", SmtpParameters.By)]
    [TestCase("MAIL FROM:<> BY=10;RX", SmtpParameters.By)]
    [TestCase("MAIL FROM:<> BY=10;RTT", SmtpParameters.By)]
    [TestCase("MAIL FROM:<> BY=1234567890;R", SmtpParameters.By)]
    [TestCase("MAIL FROM:<> BY=0;N", SmtpParameters.By)]
    [TestCase("MAIL FROM:<> BY=-5;N", SmtpParameters.By)]
    [TestCase("MAIL FROM:<> HOLDFOR=abc", SmtpParameters.HoldFor)]
    [TestCase("MAIL FROM:<> HOLDFOR=1234567890", SmtpParameters.HoldFor)]
    [TestCase("MAIL FROM:<> HOLDFOR=-1", SmtpParameters.HoldFor)]
    [TestCase("MAIL FROM:<> HOLDUNTIL=tomorrow", SmtpParameters.HoldUntil)]
    [TestCase("MAIL FROM:<> HOLDUNTIL=2030-02-30T00:00:00Z", SmtpParameters.HoldUntil)]
    [TestCase("MAIL FROM:<> HOLDUNTIL=2030-01-02T25:00:00Z", SmtpParameters.HoldUntil)]
    [TestCase("MAIL FROM:<> HOLDUNTIL=2030-01-02T03:04:05", SmtpParameters.HoldUntil)]
    [TestCase("MAIL FROM:<> HOLDUNTIL=2030-01-02T03:04:05.Z", SmtpParameters.HoldUntil)]
    [TestCase("MAIL FROM:<> MT-PRIORITY=10", SmtpParameters.MtPriority)]
    [TestCase("MAIL FROM:<> MT-PRIORITY=-10", SmtpParameters.MtPriority)]
    [TestCase("MAIL FROM:<> MT-PRIORITY=x", SmtpParameters.MtPriority)]
    [TestCase("MAIL FROM:<> MT-PRIORITY=", SmtpParameters.MtPriority)]
    [TestCase("MAIL FROM:<> REQUIRETLS=1", SmtpParameters.RequireTls)]
    [TestCase("MAIL FROM:<> AUTH=", SmtpParameters.Auth)]
    [TestCase("MAIL FROM:<> AUTH=a+4", SmtpParameters.Auth)]
    public void Invalid_parameter_values_are_501_5_5_4(string line, SmtpParameters parameter)
    {
        AssertRefused(line, "501 5.5.4");
        var command = Parse(line);
        Assert.Multiple(() =>
        {
            Assert.That(command.Error, Is.EqualTo(SmtpCommandError.InvalidParameterValue));
            Assert.That(command.ErrorParameter, Is.EqualTo(parameter));
        });
    }

    [TestCase("MAIL FROM:<> SIZE=1 SIZE=2", SmtpParameters.Size)]
    [TestCase("MAIL FROM:<> size=1 SIZE=1", SmtpParameters.Size)]
    [TestCase("MAIL FROM:<> SMTPUTF8 SMTPUTF8", SmtpParameters.SmtpUtf8)]
    [TestCase("MAIL FROM:<> BODY=7BIT BODY=8BITMIME", SmtpParameters.Body)]
    [TestCase("MAIL FROM:<> HOLDFOR=10 HOLDUNTIL=2030-01-02T03:04:05Z", SmtpParameters.HoldUntil)]
    [TestCase("MAIL FROM:<> HOLDUNTIL=2030-01-02T03:04:05Z HOLDFOR=10", SmtpParameters.HoldFor)]
    [TestCase("RCPT TO:<a@b.example> NOTIFY=NEVER NOTIFY=NEVER", SmtpParameters.Notify)]
    [TestCase("RCPT TO:<a@b.example> ORCPT=rfc822;a ORCPT=rfc822;b", SmtpParameters.Orcpt)]
    public void Duplicate_or_conflicting_parameters_are_501_5_5_4(string line, SmtpParameters parameter)
    {
        AssertRefused(line, "501 5.5.4");
        var command = Parse(line);
        Assert.Multiple(() =>
        {
            Assert.That(command.Error, Is.EqualTo(SmtpCommandError.DuplicateParameter));
            Assert.That(command.ErrorParameter, Is.EqualTo(parameter));
        });
    }

    [Test]
    public void Envid_limit_is_100_decoded_characters()
    {
        Assert.That(Parse("MAIL FROM:<> ENVID=" + new string('x', 100)).IsValid, Is.True);
        AssertRefused("MAIL FROM:<> ENVID=" + new string('x', 101), "501 5.5.4");
    }

    [Test]
    public void Extra_spaces_between_parameters_are_tolerated()
    {
        var command = Parse("MAIL FROM:<a@b.example>  SIZE=10   BODY=8BITMIME ");
        Assert.Multiple(() =>
        {
            Assert.That(command.IsValid, Is.True);
            Assert.That(command.Parameters.Size, Is.EqualTo(10));
            Assert.That(command.Parameters.Body, Is.EqualTo(SmtpBodyType.EightBitMime));
        });
    }

    [Test]
    public void Smtputf8_addresses_are_flagged_for_the_session()
    {
        var mail = Parse("MAIL FROM:<\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a> SMTPUTF8");
        var plain = Parse("MAIL FROM:<\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a>");
        Assert.Multiple(() =>
        {
            Assert.That(mail.IsValid, Is.True);
            Assert.That(mail.Path.HasNonAscii, Is.True);
            Assert.That(mail.Parameters.SmtpUtf8, Is.True);
            Assert.That(mail.Path.LocalPart, Is.EqualTo("\u7528\u6237"));
            Assert.That(mail.Path.Domain, Is.EqualTo("\u4f8b\u5b50.\u5e7f\u544a"));

            // The parser accepts it; the session refuses it without SMTPUTF8 (it knows the transaction).
            Assert.That(plain.IsValid, Is.True);
            Assert.That(plain.Parameters.SmtpUtf8, Is.False);
            Assert.That(plain.Path.HasNonAscii, Is.True);
        });
    }

    [TestCase("BDAT 0", 0L, false)]
    [TestCase("BDAT 0 LAST", 0L, true)]
    [TestCase("BDAT 1000 last", 1000L, true)]
    [TestCase("bdat 123456789012345678", 123456789012345678L, false)]
    public void Bdat_size_and_last(string line, long size, bool last)
    {
        var command = Parse(line);
        Assert.Multiple(() =>
        {
            Assert.That(command.IsValid, Is.True);
            Assert.That(command.ChunkSize, Is.EqualTo(size));
            Assert.That(command.IsLastChunk, Is.EqualTo(last));
        });
    }

    [TestCase("AUTH PLAIN", "PLAIN", null)]
    [TestCase("auth login", "LOGIN", null)]
    [TestCase("AUTH PLAIN AGphbmUAc2VjcmV0", "PLAIN", "AGphbmUAc2VjcmV0")]
    [TestCase("AUTH XOAUTH2 =", "XOAUTH2", "=")]
    [TestCase("AUTH SCRAM-SHA-256", "SCRAM-SHA-256", null)]
    public void Auth_mechanism_and_initial_response(string line, string mechanism, string? initial)
    {
        var command = Parse(line);
        Assert.Multiple(() =>
        {
            Assert.That(command.IsValid, Is.True);
            Assert.That(command.AuthMechanism, Is.EqualTo(mechanism));
            Assert.That(command.Argument, Is.EqualTo(initial));
        });
    }

    [Test]
    public void Vrfy_expn_help_keep_their_argument()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Parse("VRFY  jane@example.org ").Argument, Is.EqualTo("jane@example.org"));
            Assert.That(Parse("EXPN staff").Argument, Is.EqualTo("staff"));
            Assert.That(Parse("HELP").Argument, Is.Null);
            Assert.That(Parse("HELP RCPT").Argument, Is.EqualTo("RCPT"));
        });
    }

    [Test]
    public void Every_error_maps_to_its_spec_reply()
    {
        var expected = new Dictionary<SmtpCommandError, string>
        {
            [SmtpCommandError.UnknownCommand] = "500 5.5.1",
            [SmtpCommandError.Syntax] = "501 5.5.2",
            [SmtpCommandError.BadSenderAddress] = "501 5.1.8",
            [SmtpCommandError.BadRecipientAddress] = "501 5.1.3",
            [SmtpCommandError.UnknownParameter] = "555 5.5.4",
            [SmtpCommandError.InvalidParameterValue] = "501 5.5.4",
            [SmtpCommandError.DuplicateParameter] = "501 5.5.4",
        };
        foreach (var error in Enum.GetValues<SmtpCommandError>().Where(e => e != SmtpCommandError.None))
        {
            var reply = SmtpReplies.ForError(error);
            Assert.That($"{reply.Code} {reply.EnhancedCode}", Is.EqualTo(expected[error]), error.ToString());
        }

        Assert.That(() => SmtpReplies.ForError(SmtpCommandError.None), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
