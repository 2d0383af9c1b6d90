using System.Text;

namespace Sluice.Sieve.Tests.Unit;

/// <summary>Each part-2 extension, from the examples of its RFC (or draft) where it has them.</summary>
public sealed class Part2ExtensionTests
{
    private const string MimeMessage =
        "From: Whomever <whoever@example.com>\r\n" +
        "To: Someone <someone@example.com>\r\n" +
        "Date: Sat, 10 Oct 2009 00:30:04 +0200\r\n" +
        "Subject: [sluice] Meeting notes\r\n" +
        "Message-ID: <1234@example.com>\r\n" +
        "Content-Type: multipart/mixed; boundary=outer\r\n" +
        "\r\n" +
        "This is a multi-part message in MIME format.\r\n" +
        "--outer\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "\r\n" +
        "Please MAKE MONEY FAST with this plan.\r\n" +
        "--outer\r\n" +
        "Content-Type: text/html; charset=utf-8\r\n" +
        "\r\n" +
        "<html><body><p>Hello <b>world</b></p></body></html>\r\n" +
        "--outer\r\n" +
        "Content-Type: application/pdf; name=\"notes.pdf\"\r\n" +
        "Content-Disposition: attachment; filename=\"notes.pdf\"\r\n" +
        "Content-Transfer-Encoding: base64\r\n" +
        "\r\n" +
        "JVBERi0xLjQK\r\n" +
        "--outer--\r\n";

    private static SieveResult Run(string script, string? message = null, ISieveHost? host = null, SieveSettings? settings = null, SieveEnvelope? envelope = null) =>
        SieveTestHelper.Run(script, message, envelope, host, settings: settings);

    private static string Edited(SieveResult result) => Encoding.UTF8.GetString(result.EditedBytes!.Value.Span);

    // ---- regex (draft-murchison-sieve-regex) ----

    [Test]
    public void Regex_DraftExampleCapturesListName()
    {
        SieveResult result = Run("""
            require ["regex", "variables", "fileinto"];
            if header :regex "subject" "^\\[([a-z]+)\\] (.*)$" { fileinto "lists.${1}"; set "rest" "${2}"; }
            """, MimeMessage);
        Assert.That(result.Actions.OfType<FileIntoAction>().Single().Mailbox, Is.EqualTo("lists.sluice"));
    }

    [Test]
    public void Regex_PosixClassesAndBounds()
    {
        Assert.That(SieveTestHelper.Holds("require \"regex\";", "header :regex \"x-spam-score\" \"^[[:digit:]]{1,2}$\""), Is.True);
        Assert.That(SieveTestHelper.Holds("require \"regex\";", "header :regex \"subject\" \"^[[:upper:]][[:lower:]]+ [[:alpha:]]+\""), Is.True);
        Assert.That(SieveTestHelper.Holds("require \"regex\";", "header :regex \"x-spam-score\" \"^[[:alpha:]]+$\""), Is.False);
    }

    [Test]
    public void Regex_ComparatorDecidesCase()
    {
        Assert.That(SieveTestHelper.Holds("require \"regex\";", "header :regex \"subject\" \"MAKE money\""), Is.True);
        Assert.That(SieveTestHelper.Holds("require \"regex\";", "header :regex :comparator \"i;octet\" \"subject\" \"MAKE money\""), Is.False);
    }

    [TestCase("a*?", "repeated quantifier")]
    [TestCase("(?=x)", "look-arounds")]
    [TestCase("[[:nope:]]", "unknown character class")]
    [TestCase("(ab", "unmatched")]
    [TestCase("a{3,1}", "maximum below minimum")]
    public void Regex_WhatPosixDoesNotHaveIsACompileError(string pattern, string reason)
    {
        SieveCompileResult result = SieveTestHelper.Compile($"require \"regex\"; if header :regex \"subject\" \"{pattern}\" {{ keep; }}");
        Assert.That(result.Success, Is.False);
        Assert.That(result.Errors[0].Message, Does.Contain(reason));
        Assert.That(result.Errors[0].Line, Is.EqualTo(1));
    }

    [Test]
    public void Regex_NotWithANumericComparator()
    {
        SieveCompileResult result = SieveTestHelper.Compile("require [\"regex\", \"comparator-i;ascii-numeric\"]; if header :regex :comparator \"i;ascii-numeric\" \"x\" \"1\" { keep; }");
        Assert.That(result.Errors[0].Message, Does.Contain("cannot be used with the i;ascii-numeric comparator"));
    }

    [Test]
    public void Regex_DollarIsTheEndOnly()
    {
        Assert.That(SieveTestHelper.Holds("require [\"regex\", \"variables\"];", "string :regex \"ab\\n\" \"b$\""), Is.False);
        Assert.That(SieveTestHelper.Holds("require [\"regex\", \"variables\"];", "string :regex \"ab\" \"b$\""), Is.True);
    }

    // ---- body (RFC 5173) ----

    [Test]
    public void Body_Rfc5173ExampleContentText()
    {
        // RFC 5173 §7: body :content "text" :contains "MAKE MONEY FAST" (case-insensitive by default).
        Assert.That(SieveTestHelper.Holds("require \"body\";", "body :content \"text\" :contains \"make money fast\"", MimeMessage), Is.True);
        Assert.That(SieveTestHelper.Holds("require \"body\";", "body :content \"text/html\" :contains \"money\"", MimeMessage), Is.False);
        Assert.That(SieveTestHelper.Holds("require \"body\";", "body :content \"application/pdf\" :contains \"%PDF\"", MimeMessage), Is.True);
    }

    [Test]
    public void Body_TextStripsMarkupAndRawKeepsIt()
    {
        Assert.That(SieveTestHelper.Holds("require \"body\";", "body :text :contains \"Hello world\"", MimeMessage), Is.True);
        Assert.That(SieveTestHelper.Holds("require \"body\";", "body :text :contains \"<b>\"", MimeMessage), Is.False);
        Assert.That(SieveTestHelper.Holds("require \"body\";", "body :raw :contains \"--outer\"", MimeMessage), Is.True);
        Assert.That(SieveTestHelper.Holds("require \"body\";", "body :raw :contains \"JVBERi0xLjQK\"", MimeMessage), Is.True);
    }

    [Test]
    public void Body_AHeaderOnlyMessageHasNoBody()
    {
        Assert.That(SieveTestHelper.Holds("require \"body\";", "body :raw :contains \"\"", "From: a@example.org\r\nSubject: x\r\n"), Is.False);
    }

    // ---- editheader (RFC 5293) ----

    [Test]
    public void Editheader_AddFirstAndLastThenDeleteByIndex()
    {
        SieveResult result = Run("""
            require "editheader";
            addheader "X-Hello" "World";
            addheader :last "X-Hello" "Again";
            addheader :last "X-Hello" "Third";
            deleteheader :index 1 :last "X-Hello";
            if header :is "x-hello" "Third" { discard; }
            """);
        Assert.That(SieveTestHelper.Names(result), Is.EqualTo(new[] { "keep" }));
        string edited = Edited(result);
        Assert.That(edited, Does.StartWith("X-Hello: World\r\nFrom:"));
        Assert.That(edited, Does.Contain("X-Hello: Again\r\n\r\nBody text."));
        Assert.That(edited, Does.Not.Contain("Third"));
    }

    [Test]
    public void Editheader_DeleteWithValuePatterns()
    {
        SieveResult result = Run("require \"editheader\"; deleteheader :matches \"to\" \"*frop*\"; if exists \"to\" { discard; }");
        Assert.That(SieveTestHelper.Names(result), Is.EqualTo(new[] { "keep" }));
        Assert.That(Edited(result), Does.Not.Contain("\r\nTo:"));
    }

    [Test]
    public void Editheader_NonAsciiValuesAreEncoded()
    {
        SieveResult result = Run("require \"editheader\"; addheader \"X-Name\" \"Jürgen\"; if header :is \"x-name\" \"Jürgen\" { discard; }");
        Assert.That(SieveTestHelper.Names(result), Is.EqualTo(new[] { "discard" }));
        Assert.That(Edited(result), Does.Contain("X-Name: =?"));
    }

    [Test]
    public void Editheader_ReceivedCannotBeDeleted()
    {
        SieveResult result = Run("require \"editheader\"; deleteheader \"received\"; if exists \"received\" { discard; }", "Received: from a by b; Mon, 20 Jul 2009 21:44:43 +0300\r\nSubject: x\r\n\r\nbody\r\n");
        Assert.That(SieveTestHelper.Names(result), Is.EqualTo(new[] { "discard" }));
    }

    [Test]
    public void Editheader_ConfiguredProtectionAndSizeLimit()
    {
        var settings = new SieveSettings
        {
            EditheaderForbidAdd = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "X-Protected" },
            EditheaderMaxHeaderSize = 10,
        };
        SieveResult added = Run("require \"editheader\"; addheader \"X-Protected\" \"v\"; if exists \"x-protected\" { discard; }", settings: settings);
        Assert.That(SieveTestHelper.Names(added), Is.EqualTo(new[] { "keep" }));
        SieveCompileResult tooBig = SieveTestHelper.Compile("require \"editheader\"; addheader \"X-A\" \"0123456789ABC\";", new SieveCompileOptions { Settings = settings });
        Assert.That(tooBig.Errors[0].Message, Does.Contain("too large"));
    }

    [Test]
    public void Editheader_InvalidNamesAreErrors()
    {
        SieveCompileResult result = SieveTestHelper.Compile("require \"editheader\"; addheader \"X field\" \"v\"; deleteheader :last \"X-A\";");
        Assert.That(result.Errors.Select(e => e.Message), Has.Some.Contains("field name 'X field' is invalid"));
        Assert.That(result.Errors.Select(e => e.Message), Has.Some.Contains(":last tag cannot be specified without the :index tag"));
    }

    [Test]
    public void Editheader_ActionsKeepTheMessageTheySaw()
    {
        SieveResult result = Run("require [\"editheader\", \"fileinto\"]; addheader \"X-A\" \"1\"; fileinto \"First\"; deleteheader \"X-A\";");
        var first = result.Actions.OfType<FileIntoAction>().Single();
        Assert.That(first.Message!.GetHeaderValues("X-A"), Is.EqualTo(new[] { "1" }));
        Assert.That(result.EditedMessage!.GetHeaderValues("X-A"), Is.Empty);
    }

    // ---- include (RFC 6609) ----

    private static SieveSettings Includes(Dictionary<string, string> personal, Dictionary<string, string>? global = null, int nesting = 3) => new()
    {
        IncludeMaxNesting = nesting,
        IncludeResolver = (name, isGlobal) => (isGlobal ? global ?? [] : personal).GetValueOrDefault(name),
    };

    [Test]
    public void Include_Rfc6609Example()
    {
        // RFC 6609 §3.5: the included script sees and sets the global variable.
        var settings = Includes(new() { ["spam_filter_script"] = "require [\"variables\", \"include\"]; global \"test\"; if string :is \"${test}\" \"spam\" { discard; }" });
        SieveResult result = Run("""
            require ["variables", "include"];
            global "test";
            set "test" "spam";
            include "spam_filter_script";
            """, settings: settings);
        Assert.That(SieveTestHelper.Names(result), Is.EqualTo(new[] { "discard" }));
    }

    [Test]
    public void Include_OnceOptionalReturnAndGlobalNamespace()
    {
        var settings = Includes(new()
        {
            ["count"] = "require [\"variables\", \"include\"]; set \"global.n\" \"${global.n}x\"; return; discard;",
        });
        SieveResult result = Run("""
            require ["variables", "include", "fileinto"];
            include :once "count";
            include :once "count";
            include "count";
            include :optional "missing";
            fileinto "n-${global.n}";
            """, settings: settings);
        Assert.That(result.Actions.OfType<FileIntoAction>().Single().Mailbox, Is.EqualTo("n-xx"));
    }

    [Test]
    public void Include_LoopsMissingScriptsAndDepthAreCompileErrors()
    {
        var loop = Includes(new() { ["a"] = "require \"include\"; include \"b\";", ["b"] = "require \"include\"; include \"a\";" });
        SieveCompileResult circular = SieveTestHelper.Compile("require \"include\"; include \"a\";", new SieveCompileOptions { Settings = loop });
        Assert.That(circular.Errors.Select(e => e.Message), Has.Some.Contains("circular include of script 'a'"));

        SieveCompileResult missing = SieveTestHelper.Compile("require \"include\"; include :global \"nope\";", new SieveCompileOptions { Settings = Includes([]) });
        Assert.That(missing.Errors[0].Message, Does.Contain("global script 'nope' does not exist"));

        var deep = Includes(new() { ["1"] = "require \"include\"; include \"2\";", ["2"] = "require \"include\"; include \"3\";", ["3"] = "keep;" }, nesting: 2);
        SieveCompileResult tooDeep = SieveTestHelper.Compile("require \"include\"; include \"1\";", new SieveCompileOptions { Settings = deep });
        Assert.That(tooDeep.Errors.Select(e => e.Message), Has.Some.Contains("deeper than 2 levels"));
    }

    [Test]
    public void Include_ErrorsInTheIncludedScriptNameIt()
    {
        var settings = Includes(new() { ["bad"] = "frobnicate;" });
        SieveCompileResult result = SieveTestHelper.Compile("require \"include\"; include \"bad\";", new SieveCompileOptions { Settings = settings });
        Assert.That(result.Errors[0].Message, Does.StartWith("in included script 'bad': unknown command 'frobnicate'"));
    }

    // ---- mime, foreverypart, extracttext, replace (RFC 5703) ----

    [Test]
    public void Mime_Rfc5703ExampleFindsTheAttachment()
    {
        // RFC 5703 §8 example 1 in spirit: look at every part for a PDF attachment.
        SieveResult result = Run("""
            require ["foreverypart", "mime", "fileinto", "variables"];
            foreverypart {
              if header :mime :param "filename" :contains "Content-Disposition" ".pdf" {
                fileinto "Attachments";
                break;
              }
            }
            """, MimeMessage);
        Assert.That(SieveTestHelper.Names(result), Is.EqualTo(new[] { "fileinto" }));
    }

    [Test]
    public void Mime_TypeOptionsAndAnychild()
    {
        Assert.That(SieveTestHelper.Holds("require \"mime\";", "header :mime :type \"content-type\" \"multipart\"", MimeMessage), Is.True);
        Assert.That(SieveTestHelper.Holds("require \"mime\";", "header :mime :anychild :subtype \"content-type\" \"html\"", MimeMessage), Is.True);
        Assert.That(SieveTestHelper.Holds("require \"mime\";", "header :mime :subtype \"content-type\" \"html\"", MimeMessage), Is.False);
        Assert.That(SieveTestHelper.Holds("require \"mime\";", "exists :mime :anychild \"content-disposition\"", MimeMessage), Is.True);
        Assert.That(SieveTestHelper.Holds("require \"mime\";", "address :mime :is \"from\" \"whoever@example.com\"", MimeMessage), Is.True);
    }

    [Test]
    public void Mime_BareOptionIsACompileError()
    {
        SieveCompileResult result = SieveTestHelper.Compile("require \"mime\"; if header :anychild \"content-type\" \"x\" { keep; }");
        Assert.That(result.Errors[0].Message, Does.Contain("requires the :mime tag"));
    }

    [Test]
    public void ForEveryPart_VisitsPartsInOrderAndNestsOverChildren()
    {
        SieveResult result = Run("""
            require ["foreverypart", "mime", "variables", "fileinto"];
            set "seen" "";
            foreverypart :name "outer" {
              if header :mime :contenttype "content-type" "*" { }
              if header :mime :matches :contenttype "content-type" "*" { set "seen" "${seen},${1}"; }
              foreverypart { if header :mime :contenttype "content-type" "text/html" { set "seen" "${seen}+"; } }
            }
            fileinto "${seen}";
            """, MimeMessage);
        Assert.That(result.Actions.OfType<FileIntoAction>().Single().Mailbox, Is.EqualTo(",multipart/mixed+,text/plain,text/html,application/pdf"));
    }

    [Test]
    public void ForEveryPart_BreakOutsideALoopAndTooDeepNestingAreErrors()
    {
        Assert.That(SieveTestHelper.Compile("require \"foreverypart\"; break;").Errors[0].Message, Does.Contain("not placed inside a foreverypart loop"));
        string deep = "require \"foreverypart\"; " + string.Concat(Enumerable.Repeat("foreverypart { ", 5)) + "keep;" + new string('}', 5);
        Assert.That(SieveTestHelper.Compile(deep).Errors[0].Message, Does.Contain("nesting limit of 4"));
        Assert.That(SieveTestHelper.Compile("require \"foreverypart\"; foreverypart :name \"a\" { break :name \"b\"; }").Errors[0].Message, Does.Contain("'b'"));
    }

    [Test]
    public void ExtractText_TakesThePartTextWithModifiers()
    {
        SieveResult result = Run("""
            require ["foreverypart", "mime", "variables", "extracttext", "fileinto"];
            foreverypart {
              if header :mime :subtype "content-type" "html" { extracttext :lower :first 11 "t"; fileinto "${t}"; }
            }
            """, MimeMessage);
        Assert.That(result.Actions.OfType<FileIntoAction>().Single().Mailbox, Is.EqualTo("hello world"));
        Assert.That(SieveTestHelper.Compile("require [\"extracttext\", \"variables\"]; keep;").Errors[0].Message, Does.Contain("without the foreverypart extension"));
    }

    [Test]
    public void Replace_ReplacesTheBodyAndSubject()
    {
        SieveResult result = Run("require \"replace\"; replace :subject \"Replaced\" \"The original was removed.\";", MimeMessage);
        string edited = Edited(result);
        Assert.That(edited, Does.Contain("Subject: Replaced"));
        Assert.That(edited, Does.Contain("The original was removed."));
        Assert.That(edited, Does.Not.Contain("MAKE MONEY"));
    }

    [Test]
    public void Replace_InsideALoopReplacesThePart()
    {
        SieveResult result = Run("""
            require ["replace", "foreverypart", "mime"];
            foreverypart { if header :mime :subtype "content-type" "pdf" { replace "attachment removed"; } }
            """, MimeMessage);
        string edited = Edited(result);
        Assert.That(edited, Does.Contain("attachment removed"));
        Assert.That(edited, Does.Not.Contain("JVBERi0xLjQK"));
        Assert.That(edited, Does.Contain("MAKE MONEY FAST"));
    }

    // ---- extlists (RFC 6134) ----

    private sealed class ListHost : SieveHost
    {
        public override bool IsValidList(string list) => list == "urn:ietf:params:sieve:addrbook:default";

        public override bool? ListContains(string list, string value) =>
            IsValidList(list) ? value.Equals("whoever@example.com", StringComparison.OrdinalIgnoreCase) : null;
    }

    [Test]
    public void Extlists_Rfc6134ExampleAddressInAddressBook()
    {
        SieveResult result = Run("""
            require ["extlists", "variables", "fileinto"];
            if address :list "from" ":addrbook:default" { fileinto "known-${0}"; }
            if valid_ext_list ":addrbook:default" { keep; }
            """, MimeMessage, new ListHost());
        Assert.That(result.Actions.OfType<FileIntoAction>().Single().Mailbox, Is.EqualTo("known-whoever@example.com"));
        Assert.That(SieveTestHelper.Names(result), Does.Contain("keep"));
    }

    [Test]
    public void Extlists_UnsupportedListNameIsACompileError()
    {
        SieveCompileResult result = SieveTestHelper.Compile("require \"extlists\"; if header :list \"from\" \"tag:example.com,2010:x\" { keep; }");
        Assert.That(result.Errors[0].Message, Does.Contain("unknown external list"));
    }

    // ---- duplicate (RFC 7352) ----

    private sealed class DuplicateHost : SieveHost
    {
        public List<(string Handle, string Id, TimeSpan Period)> Calls { get; } = [];

        public override bool CheckDuplicate(string handle, string id, TimeSpan period)
        {
            bool seen = Calls.Any(c => c.Handle == handle && c.Id == id);
            Calls.Add((handle, id, period));
            return seen;
        }
    }

    [Test]
    public void Duplicate_AsksTheHostWithTheMessageIdOrTheGivenId()
    {
        var host = new DuplicateHost();
        SieveResult result = Run("""
            require "duplicate";
            if duplicate { discard; }
            if duplicate :handle "h" :uniqueid "abc" :seconds 60 { discard; }
            if duplicate { discard; }
            """, MimeMessage, host);
        Assert.That(SieveTestHelper.Names(result), Is.EqualTo(new[] { "discard" }));
        Assert.That(host.Calls[0], Is.EqualTo(("", "<1234@example.com>", TimeSpan.FromDays(7))));
        Assert.That(host.Calls[1], Is.EqualTo(("h", "abc", TimeSpan.FromSeconds(60))));
    }

    // ---- date and index (RFC 5260) ----

    private sealed class ClockHost(DateTimeOffset now) : SieveHost
    {
        public override DateTimeOffset Now => now;
    }

    [Test]
    public void Date_Rfc5260Examples()
    {
        // §4: "date" :originalzone on the Date header; :zone converts.
        Assert.That(SieveTestHelper.Holds("require [\"date\", \"relational\"];", "date :value \"lt\" :originalzone \"date\" \"hour\" \"09\"", MimeMessage), Is.True);
        Assert.That(SieveTestHelper.Holds("require \"date\";", "date :zone \"-0500\" \"date\" \"date\" \"2009-10-09\"", MimeMessage), Is.True);
        Assert.That(SieveTestHelper.Holds("require \"date\";", "date :originalzone \"date\" \"weekday\" \"6\"", MimeMessage), Is.True);
        Assert.That(SieveTestHelper.Holds("require \"date\";", "date :originalzone \"date\" \"iso8601\" \"2009-10-10T00:30:04+02:00\"", MimeMessage), Is.True);
        Assert.That(SieveTestHelper.Holds("require \"date\";", "date :originalzone \"date\" \"julian\" \"55114\"", MimeMessage), Is.True);
    }

    [Test]
    public void Date_CurrentdateUsesTheHostClock()
    {
        var host = new ClockHost(new DateTimeOffset(2026, 12, 4, 22, 30, 0, TimeSpan.FromHours(1)));
        Assert.That(SieveTestHelper.Holds("require \"date\";", "currentdate \"std11\" \"Fri, 04 Dec 2026 22:30:00 +0100\"", host: host), Is.True);
        Assert.That(SieveTestHelper.Holds("require \"date\";", "currentdate :zone \"+0000\" \"time\" \"21:30:00\"", host: host), Is.True);
        Assert.That(SieveTestHelper.Compile("require \"date\"; if currentdate \"fortnight\" \"1\" { keep; }").Errors[0].Message, Does.Contain("invalid date part"));
    }

    [Test]
    public void Index_PicksOneOccurrence()
    {
        const string message = "Received: from a by b; Mon, 20 Jul 2009 21:44:43 +0300\r\nReceived: from c by d; Tue, 21 Jul 2009 10:00:00 +0300\r\nSubject: x\r\n\r\nb\r\n";
        Assert.That(SieveTestHelper.Holds("require [\"date\", \"index\"];", "date :index 1 :originalzone \"received\" \"day\" \"20\"", message), Is.True);
        Assert.That(SieveTestHelper.Holds("require [\"date\", \"index\"];", "date :index 1 :last :originalzone \"received\" \"day\" \"21\"", message), Is.True);
        Assert.That(SieveTestHelper.Holds("require \"index\";", "header :index 2 :contains \"received\" \"from c\"", message), Is.True);
        Assert.That(SieveTestHelper.Holds("require \"index\";", "header :index 3 :contains \"received\" \"from\"", message), Is.False);
        Assert.That(SieveTestHelper.Compile("require \"index\"; if header :last \"a\" \"b\" { keep; }").Errors[0].Message, Does.Contain("without the :index tag"));
    }

    // ---- envelope-dsn, envelope-deliverby (RFC 6009) ----

    [Test]
    public void EnvelopeDsn_PartsAndRedirectTags()
    {
        var envelope = new SieveEnvelope { From = "a@example.org", To = ["b@example.net"], Notify = "SUCCESS,FAILURE", Orcpt = "rfc822;b+x@example.net", Ret = "HDRS", EnvId = "QQ314159" };
        SieveResult result = Run("""
            require ["envelope", "envelope-dsn", "subaddress"];
            if allof (envelope :contains "notify" "FAILURE", envelope :detail "orcpt" "x", envelope "envid" "QQ314159") {
              redirect :notify "NEVER" :ret "FULL" "c@example.com";
            }
            """, envelope: envelope);
        RedirectAction redirect = result.Actions.OfType<RedirectAction>().Single();
        Assert.That((redirect.Notify, redirect.Ret), Is.EqualTo(("NEVER", "FULL")));
        Assert.That(SieveTestHelper.Compile("require \"envelope-dsn\"; redirect :notify \"SOMETIMES\" \"c@example.com\";").Errors[0].Message, Does.Contain(":notify"));
    }

    [Test]
    public void EnvelopeDeliverBy_PartsAndRedirectTags()
    {
        var envelope = new SieveEnvelope { From = "a@example.org", To = ["b@example.net"], ByMode = "R", ByTimeRelative = "600" };
        SieveResult result = Run("""
            require ["envelope", "envelope-deliverby"];
            if envelope "bymode" "R" { redirect :bytimerelative 600 :bymode "notify" :bytrace "c@example.com"; }
            """, envelope: envelope);
        RedirectAction redirect = result.Actions.OfType<RedirectAction>().Single();
        Assert.That((redirect.ByTime, redirect.ByMode, redirect.ByTrace), Is.EqualTo(((long?)600, "notify", true)));
    }

    // ---- vnd.sluice.execute ----

    private sealed class ExecuteHost : SieveHost
    {
        public List<(string Program, IReadOnlyList<string> Args, string? Input)> Calls { get; } = [];

        public override SieveExecuteResult? Execute(string program, IReadOnlyList<string> arguments, string? input)
        {
            Calls.Add((program, arguments, input));
            return program == "/usr/local/bin/classify" ? new SieveExecuteResult(0, "ham") : null;
        }
    }

    [Test]
    public void Execute_TheHostDecides()
    {
        var host = new ExecuteHost();
        SieveResult result = Run("""
            require ["vnd.sluice.execute", "variables", "fileinto"];
            if execute :input :output "verdict" "/usr/local/bin/classify" ["--fast"] { fileinto "${verdict}"; }
            if execute "/bin/rm" ["-rf", "/"] { discard; }
            """, host: host);
        Assert.That(SieveTestHelper.Names(result), Is.EqualTo(new[] { "fileinto" }));
        Assert.That(result.Actions.OfType<FileIntoAction>().Single().Mailbox, Is.EqualTo("ham"));
        Assert.That(host.Calls[0].Input, Does.Contain("Subject: Make money fast"));
        Assert.That(host.Calls[1].Args, Is.EqualTo(new[] { "-rf", "/" }));

        SieveResult refused = Run("require \"vnd.sluice.execute\"; execute \"/bin/rm\";", host: host);
        Assert.That(refused.Status, Is.EqualTo(SieveRunStatus.Error));
        Assert.That(refused.Error!.Message, Does.Contain("does not allow running '/bin/rm'"));
    }
}
