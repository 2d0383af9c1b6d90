namespace Sluice.Sieve.Tests.Unit;

/// <summary>Each part-1 extension, from the examples of its RFC where it has them.</summary>
public sealed class ExtensionTests
{
    private sealed class MailboxHost(params string[] mailboxes) : SieveHost
    {
        public override bool? MailboxExists(string mailbox) => mailboxes.Contains(mailbox);

        public override string? GetEnvironmentItem(string name) => name == "remote-ip" ? "192.0.2.1" : null;
    }

    [Test]
    public void FileintoAndCopy()
    {
        SieveResult result = SieveTestHelper.Run("require [\"fileinto\", \"copy\"]; fileinto \"Spam\"; fileinto :copy \"Archive\"; redirect :copy \"x@example.org\";");
        Assert.That(result.Actions, Is.EqualTo(new SieveAction[]
        {
            new FileIntoAction("Spam", [], false, false),
            new FileIntoAction("Archive", [], true, false),
            new RedirectAction("x@example.org", true),
        }).Using<SieveAction>(SameAction));
    }

    [Test]
    public void CopyKeepsTheImplicitKeep()
    {
        SieveResult result = SieveTestHelper.Run("require \"copy\"; redirect :copy \"x@example.org\";");
        Assert.That(SieveTestHelper.Names(result), Is.EqualTo(new[] { "redirect", "keep" }));
    }

    [Test]
    public void MailboxCreateAndMailboxexists()
    {
        const string script = "require [\"fileinto\", \"mailbox\"]; if mailboxexists \"Known\" { fileinto :create \"Known\"; } if mailboxexists \"Other\" { discard; }";
        SieveResult result = SieveTestHelper.Run(script, host: new MailboxHost("Known"));
        Assert.That(result.Actions, Is.EqualTo(new SieveAction[] { new FileIntoAction("Known", [], false, true) }).Using<SieveAction>(SameAction));
    }

    [Test]
    public void RejectAndEreject()
    {
        Assert.That(SieveTestHelper.Run("require \"reject\"; reject \"go away\";").Actions.Single(), Is.EqualTo(new RejectAction("go away", false)));
        Assert.That(SieveTestHelper.Run("require \"ereject\"; ereject \"550 no\";").Actions.Single(), Is.EqualTo(new RejectAction("550 no", true)));
    }

    [Test]
    public void RejectConflictsWithKeep()
    {
        SieveResult result = SieveTestHelper.Run("require \"reject\"; keep; reject \"no\";");
        Assert.That(result.Status, Is.EqualTo(SieveRunStatus.Error));
        Assert.That(result.Error!.Message, Does.Contain("conflicts"));
    }

    [Test]
    public void EnvelopeFromToAndNullSender()
    {
        var envelope = new SieveEnvelope { From = "", To = ["a@example.org", "b+x@example.net"] };
        Assert.That(SieveTestHelper.Holds("require \"envelope\";", "envelope :is \"from\" \"\"", envelope: envelope), Is.True);
        Assert.That(SieveTestHelper.Holds("require \"envelope\";", "envelope :domain \"to\" \"example.net\"", envelope: envelope), Is.True);
        Assert.That(SieveTestHelper.Holds("require \"envelope\";", "envelope :localpart \"to\" \"c\"", envelope: envelope), Is.False);
    }

    // RFC 5229 §4.1 examples: set "a" "juMBlEd lETteRS".
    [TestCase(":length", "15")]
    [TestCase(":lower", "jumbled letters")]
    [TestCase(":upperfirst", "JuMBlEd lETteRS")]
    [TestCase(":lowerfirst :upper", "jUMBLED LETTERS")]
    [TestCase(":quotewildcard", "juMBlEd lETteRS")]
    public void VariableModifiers(string modifiers, string expected)
    {
        string script = $"require \"variables\"; set \"a\" \"juMBlEd lETteRS\"; set {modifiers} \"b\" \"${{a}}\"; if string :comparator \"i;octet\" :is \"${{b}}\" \"{expected}\" {{ discard; }}";
        Assert.That(SieveTestHelper.Names(SieveTestHelper.Run(script)), Is.EqualTo(new[] { "discard" }));
    }

    [TestCase(":quotewildcard", "Rock*?\\\\", "Rock\\\\*\\\\?\\\\\\\\")]
    [TestCase(":quoteregex", "a.b(c)", "a\\\\.b\\\\(c\\\\)")]
    [TestCase(":encodeurl", "a b&c/ü", "a%20b%26c%2F%C3%BC")]
    public void QuotingModifiers(string modifier, string value, string expected)
    {
        string script = $"require \"variables\"; set {modifier} \"b\" \"{value}\"; if string :comparator \"i;octet\" :is \"${{b}}\" \"{expected}\" {{ discard; }}";
        Assert.That(SieveTestHelper.Names(SieveTestHelper.Run(script)), Is.EqualTo(new[] { "discard" }));
    }

    [Test]
    public void VariablesExpandCaseInsensitivelyAndUnknownIsEmpty()
    {
        const string script = """
            require ["variables", "fileinto"];
            set "honorific" "Mr";
            set "last_name" "Coyote";
            fileinto "${HONORIFIC} ${last_name}${unknown}";
            """;
        Assert.That(((FileIntoAction)SieveTestHelper.Run(script).Actions[0]).Mailbox, Is.EqualTo("Mr Coyote"));
    }

    [Test]
    public void MatchVariablesFromRfc5229Example()
    {
        const string message = "List-ID: <mylist@example.org>\r\nSubject: [acme-users] [fwd] version 1.0 is out\r\n\r\n";
        const string script = """
            require ["variables", "fileinto"];
            if header :matches "List-ID" "*<*@*" { fileinto "INBOX.lists.${2}"; }
            if header :matches "Subject" "[*] *" { fileinto "INBOX.subject.${1}.${2}"; }
            """;
        string[] boxes = SieveTestHelper.Run(script, message).Actions.OfType<FileIntoAction>().Select(f => f.Mailbox).ToArray();
        Assert.That(boxes, Is.EqualTo(new[] { "INBOX.lists.mylist", "INBOX.subject.acme-users.[fwd] version 1.0 is out" }));
    }

    [Test]
    public void NamespaceVariablesComeFromTheHost()
    {
        var options = new SieveCompileOptions { VariableNamespaces = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "env" } };
        SieveResult result = SieveTestHelper.Run(
            "require [\"variables\", \"fileinto\"]; fileinto \"${env.remote_ip}\";",
            options: options,
            namespaces: new Dictionary<string, string> { ["env.remote_ip"] = "192.0.2.7" });
        Assert.That(((FileIntoAction)result.Actions[0]).Mailbox, Is.EqualTo("192.0.2.7"));
    }

    [Test]
    public void VariableValuesAreCutAtTheSizeLimit()
    {
        const string script = "require \"variables\"; set \"a\" \"0123456789\"; set \"a\" \"${a}${a}${a}\"; set :length \"n\" \"${a}\"; if string \"${n}\" \"25\" { discard; }";
        SieveResult result = SieveTestHelper.Run(script, limits: new SieveLimits { MaxVariableSize = 25 });
        Assert.That(SieveTestHelper.Names(result), Is.EqualTo(new[] { "discard" }));
    }

    [Test]
    public void StringTestCountSkipsEmptyStrings() =>
        Assert.That(SieveTestHelper.Holds("require [\"variables\", \"relational\", \"comparator-i;ascii-numeric\"];",
            "string :count \"eq\" :comparator \"i;ascii-numeric\" [\"a\", \"\", \"c\"] \"2\""), Is.True);

    // RFC 5231 §6 examples against the default message (2 To addresses, 1 Cc, X-Spam-Score 7).
    [TestCase("address :count \"ge\" :comparator \"i;ascii-numeric\" [\"to\", \"cc\"] [\"3\"]", true)]
    [TestCase("address :count \"gt\" :comparator \"i;ascii-numeric\" [\"to\", \"cc\"] [\"3\"]", false)]
    [TestCase("header :value \"gt\" :comparator \"i;ascii-numeric\" \"x-spam-score\" \"5\"", true)]
    [TestCase("header :value \"lt\" :comparator \"i;ascii-numeric\" \"x-spam-score\" \"5\"", false)]
    [TestCase("header :value \"lt\" :comparator \"i;ascii-numeric\" \"subject\" \"5\"", false)]
    [TestCase("header :count \"eq\" :comparator \"i;ascii-numeric\" \"x-none\" \"0\"", true)]
    [TestCase("header :value \"gt\" \"subject\" \"M\"", true)]
    public void Relational(string test, bool expected) =>
        Assert.That(SieveTestHelper.Holds("require [\"relational\", \"comparator-i;ascii-numeric\"];", test), Is.EqualTo(expected));

    // RFC 5233 §4 (default message: From stephan+sieve@..., envelope to rcpt+box@...).
    [TestCase("address :user \"from\" \"stephan\"", true)]
    [TestCase("address :detail \"from\" \"sieve\"", true)]
    [TestCase("address :detail \"to\" \"\"", false)]
    [TestCase("envelope :detail \"to\" \"box\"", true)]
    [TestCase("envelope :user \"to\" \"rcpt\"", true)]
    public void Subaddress(string test, bool expected) =>
        Assert.That(SieveTestHelper.Holds("require [\"subaddress\", \"envelope\"];", test), Is.EqualTo(expected));

    [Test]
    public void Imap4FlagsFromRfc5232()
    {
        const string script = """
            require ["imap4flags", "fileinto", "variables"];
            setflag "\\Seen";
            addflag ["\\Flagged", "$Work"];
            removeflag "\\Seen";
            fileinto "Work";
            fileinto :flags "\\Answered" "Done";
            addflag "myvar" "a b";
            if hasflag "myvar" "b" { keep; }
            if hasflag :is "$work" { discard; }
            """;
        SieveResult result = SieveTestHelper.Run(script);
        Assert.That(result.Status, Is.EqualTo(SieveRunStatus.Completed), result.Error?.ToString());
        var files = result.Actions.OfType<FileIntoAction>().ToArray();
        Assert.That(files[0].Flags, Is.EqualTo(new[] { "\\Flagged", "$Work" }));
        Assert.That(files[1].Flags, Is.EqualTo(new[] { "\\Answered" }));
        Assert.That(result.Actions.OfType<KeepAction>().Single().Flags, Is.EqualTo(new[] { "\\Flagged", "$Work" }));
        Assert.That(result.Actions.OfType<DiscardAction>(), Is.Not.Empty);
    }

    [Test]
    public void ImplicitKeepCarriesTheInternalFlags()
    {
        SieveResult result = SieveTestHelper.Run("require \"imap4flags\"; setflag \"\\\\Seen\";");
        Assert.That(((KeepAction)result.Actions.Single()).Flags, Is.EqualTo(new[] { "\\Seen" }));
    }

    [Test]
    public void EncodedCharacter()
    {
        SieveResult result = SieveTestHelper.Run("require [\"encoded-character\", \"fileinto\"]; fileinto \"${hex:41 42}-${unicode:263a}-${hex:zz}\";");
        Assert.That(((FileIntoAction)result.Actions[0]).Mailbox, Is.EqualTo("AB-\u263A-${hex:zz}"));
    }

    [Test]
    public void IhaveLoadsKnownCapabilitiesAndSkipsUnknownOnes()
    {
        const string script = """
            require "ihave";
            if ihave "fileinto" { fileinto "Yes"; }
            if ihave "no-such-thing" { no_such_command; }
            """;
        SieveResult result = SieveTestHelper.Run(script);
        Assert.That(((FileIntoAction)result.Actions[0]).Mailbox, Is.EqualTo("Yes"));
    }

    [Test]
    public void ErrorCommandFailsTheRun()
    {
        SieveResult result = SieveTestHelper.Run("require \"ihave\"; error \"broken\";");
        Assert.That(result.Status, Is.EqualTo(SieveRunStatus.Error));
        Assert.That(result.Error!.Message, Is.EqualTo("broken"));
    }

    [TestCase("environment :is \"name\" \"Sluice\"", true)]
    [TestCase("environment :is \"remote-ip\" \"192.0.2.1\"", true)]
    [TestCase("environment :contains \"nonsense\" \"\"", false)]
    public void Environment(string test, bool expected) =>
        Assert.That(SieveTestHelper.Holds("require \"environment\";", test, host: new MailboxHost()), Is.EqualTo(expected));

    [TestCase("i;octet", "Frop", "frop", false)]
    [TestCase("i;ascii-casemap", "Frop", "FROP", true)]
    [TestCase("i;unicode-casemap", "Ärger", "äRGER", true)]
    [TestCase("i;ascii-numeric", "0042", "42", true)]
    [TestCase("i;ascii-numeric", "abc", "def", true)]
    [TestCase("i;ascii-numeric", "42", "abc", false)]
    public void Comparators(string comparator, string a, string b, bool equal) =>
        Assert.That(SieveTestHelper.Holds("require [\"variables\", \"comparator-i;ascii-numeric\"];",
            $"string :is :comparator \"{comparator}\" \"{a}\" \"{b}\""), Is.EqualTo(equal));

    private static bool SameAction(SieveAction a, SieveAction b) => (a, b) switch
    {
        (FileIntoAction x, FileIntoAction y) => x.Mailbox == y.Mailbox && x.Copy == y.Copy && x.Create == y.Create && x.Flags.SequenceEqual(y.Flags),
        _ => a.Equals(b),
    };
}
