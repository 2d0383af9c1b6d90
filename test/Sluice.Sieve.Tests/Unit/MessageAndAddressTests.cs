namespace Sluice.Sieve.Tests.Unit;

/// <summary>The pieces under the tests: header reading (RFC 5322, RFC 2047) and address parsing.</summary>
public sealed class MessageAndAddressTests
{
    [Test]
    public void HeadersAreUnfoldedTrimmedAndDecoded()
    {
        var message = SimpleSieveMessage.FromText(
            "Subject:   =?ISO-8859-1?Q?Caf=E9?=  =?UTF-8?B?IGF1IGxhaXQ=?=\n" +
            "X-Long: first\n\tsecond\n" +
            "X-Two: a\nx-two: b\n\nbody\n");
        Assert.That(message.GetHeaderValues("subject"), Is.EqualTo(new[] { "Café au lait" }));
        Assert.That(message.GetRawHeaderValues("SUBJECT")[0], Does.StartWith("=?ISO-8859-1?Q?"));
        Assert.That(message.GetHeaderValues("x-long"), Is.EqualTo(new[] { "first\tsecond" }));
        Assert.That(message.GetHeaderValues("X-Two"), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(message.Size, Is.EqualTo(message.RawBytes.Length));
    }

    [Test]
    public void BodyLinesAreNotHeaders()
    {
        var message = SimpleSieveMessage.FromText("A: 1\n\nB: 2\n");
        Assert.That(message.GetHeaderValues("B"), Is.Empty);
    }

    [TestCase("\"Bosch, Stephan\" <stephan@example.org>, nico@example.com", "stephan@example.org|nico@example.com")]
    [TestCase("undisclosed-recipients:;", "")]
    [TestCase("friends: a@example.org, b@example.org; c@example.org", "a@example.org|b@example.org|c@example.org")]
    [TestCase("a (comment, with comma) @ example.org", "a@example.org")]
    [TestCase("<@route.example:user@example.org>", "user@example.org")]
    public void AddressHeadersYieldTheirMailboxes(string header, string expected)
    {
        var message = SimpleSieveMessage.FromText($"To: {header}\n\n");
        // Each address is tested on its own: collect them with :is against every expected value.
        string[] wanted = expected.Length == 0 ? [] : expected.Split('|');
        foreach (string address in wanted)
        {
            SieveResult result = SieveInterpreter.Run(
                SieveTestHelper.CompileOk($"if address :is :all \"to\" \"{address}\" {{ discard; }}"),
                new SieveRunContext { Message = message });
            Assert.That(SieveTestHelper.Names(result), Does.Contain("discard"), address);
        }
        SieveResult count = SieveInterpreter.Run(
            SieveTestHelper.CompileOk($"require [\"relational\", \"comparator-i;ascii-numeric\"]; if address :count \"eq\" :comparator \"i;ascii-numeric\" \"to\" \"{wanted.Length}\" {{ discard; }}"),
            new SieveRunContext { Message = message });
        Assert.That(SieveTestHelper.Names(count), Does.Contain("discard"));
    }

    [TestCase("Ok Good <stephan@example.org>", true)]
    [TestCase(" more  @  example.com  ", true)]
    [TestCase("..japanese...localpart..@example.com", true)]
    [TestCase("\"Stephan Bosch\"@example.org", true)]
    [TestCase("Stephan Bosch error@example.org", false)]
    [TestCase("stephan@example.org,tss@example.net", false)]
    [TestCase("rüdiger@example.com", false)]
    [TestCase("<>", false)]
    [TestCase("Error <stephan@", false)]
    [TestCase("@wrong.example.com", false)]
    [TestCase("error", false)]
    [TestCase("error@", false)]
    [TestCase("Stephan Bosch <error@example.org", false)]
    [TestCase(" more error @  example.com  ", false)]
    [TestCase("@", false)]
    [TestCase("Error <", false)]
    [TestCase("stephan@example.org,%&^&!!~", false)]
    [TestCase("japanese.@example.com", true)]
    [TestCase("  Stephan Bosch  <  stephan  @  example.org  > ", true)]
    public void RedirectAddressesAreCheckedAtCompileTime(string address, bool valid) =>
        Assert.That(SieveCompiler.Compile($"redirect \"{address.Replace("\"", "\\\"", StringComparison.Ordinal)}\";").Success, Is.EqualTo(valid));

    [TestCase("<@a.example,@b.example:user@example.org>", "user", true)]
    [TestCase("<user@example.org", "user", false)]
    [TestCase("user@", "user", false)]
    [TestCase("<MAILER-DAEMON>", "MAILER-DAEMON", true)]
    public void EnvelopePaths(string path, string localPart, bool readable) =>
        Assert.That(SieveTestHelper.Holds("require \"envelope\";", $"envelope :localpart \"from\" \"{localPart}\"", envelope: new SieveEnvelope { From = path }), Is.EqualTo(readable));
}
