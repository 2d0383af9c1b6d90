using System.Diagnostics;
using System.Text;

namespace Sluice.Sieve.Tests.Unit;

/// <summary>
/// What a hostile script or message can throw at part 2: deeply nested MIME under foreverypart,
/// catastrophic regular expressions, huge header edits. Each ends with a clear result, never a hang
/// or a crash.
/// </summary>
public sealed class HardeningTests
{
    /// <summary>A message whose multiparts nest this deep, each level with one text part beside the next level.</summary>
    private static string NestedMime(int depth)
    {
        var sb = new StringBuilder("From: a@example.org\r\nSubject: deep\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n");
        for (int i = 0; i < depth; i++)
        {
            sb.Append($"--b{i}\r\nContent-Type: text/plain\r\n\r\nlevel {i}\r\n");
            sb.Append($"--b{i}\r\nContent-Type: multipart/mixed; boundary=b{i + 1}\r\n\r\n");
        }
        sb.Append($"--b{depth}\r\nContent-Type: text/plain\r\n\r\nbottom\r\n--b{depth}--\r\n");
        for (int i = depth - 1; i >= 0; i--)
        {
            sb.Append($"--b{i}--\r\n");
        }
        return sb.ToString();
    }

    [Test]
    public void ForEveryPartOnADeepTreeIsBoundedByTheDepthCapAndTheBudget()
    {
        string message = NestedMime(5000);
        const string script = """
            require ["foreverypart", "mime", "variables", "body"];
            set "n" "";
            foreverypart { foreverypart { foreverypart { foreverypart { set "n" "${n}x"; } } } }
            if body :text :contains "bottom" { discard; }
            """;
        var watch = Stopwatch.StartNew();
        SieveResult result = SieveTestHelper.Run(script, message, limits: new SieveLimits { CpuInstructions = 20_000 });
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)));
        // Either the budget ran out or the run ended within it; the depth cap keeps parts bounded.
        Assert.That(result.Status, Is.EqualTo(SieveRunStatus.BudgetExhausted).Or.EqualTo(SieveRunStatus.Completed));
        if (result.Status == SieveRunStatus.BudgetExhausted)
        {
            Assert.That(result.Error!.Message, Does.Contain("CPU limit"));
        }
    }

    [Test]
    public void TheMimeViewStopsAtTheConfiguredDepth()
    {
        var settings = new SieveSettings { MaxMimeDepth = 8 };
        SieveResult result = SieveTestHelper.Run("""
            require ["foreverypart", "variables", "fileinto"];
            set "n" "";
            foreverypart { set "n" "${n}x"; }
            set :length "count" "${n}";
            fileinto "${count}";
            """, NestedMime(200), settings: settings, limits: new SieveLimits { CpuInstructions = 100_000 });
        Assert.That(result.Status, Is.EqualTo(SieveRunStatus.Completed), result.Error?.ToString());
        int parts = int.Parse(result.Actions.OfType<FileIntoAction>().Single().Mailbox, System.Globalization.CultureInfo.InvariantCulture);
        // Two parts per level down to the cap (the deeper levels are not walked), never the 401 of the message.
        Assert.That(parts, Is.LessThanOrEqualTo(2 * 8 + 2));
    }

    [Test]
    public void ACatastrophicRegexTimesOutWithAClearError()
    {
        var settings = new SieveSettings { RegexTimeout = TimeSpan.FromMilliseconds(50) };
        string subject = new string('a', 40) + "!";
        var watch = Stopwatch.StartNew();
        SieveResult result = SieveTestHelper.Run(
            "require \"regex\"; if header :regex \"subject\" \"^(a+)+$\" { discard; }",
            $"Subject: {subject}\r\n\r\nbody\r\n", settings: settings);
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(result.Status, Is.EqualTo(SieveRunStatus.Error));
        Assert.That(result.Error!.Message, Does.Contain("regular expression took longer than 50 ms"));
        Assert.That(result.Error.Line, Is.EqualTo(1));
        Assert.That(result.Actions.Single(), Is.EqualTo(new KeepAction([], Implicit: true)));
    }

    [Test]
    public void AComputedInvalidRegexIsAWarningNotACrash()
    {
        SieveResult result = SieveTestHelper.Run("require [\"regex\", \"variables\"]; set \"r\" \"([\"; if header :regex \"subject\" \"${r}\" { discard; }");
        Assert.That(result.Status, Is.EqualTo(SieveRunStatus.Completed));
        Assert.That(result.Warnings.Single().Message, Does.Contain("invalid regular expression '(['"));
    }

    [Test]
    public void HugeHeaderEditsHitTheLimits()
    {
        // A value at the size limit is added; one over it is a runtime error naming the limit.
        var settings = new SieveSettings { EditheaderMaxHeaderSize = 4096 };
        SieveResult big = SieveTestHelper.Run("""
            require ["editheader", "variables"];
            set "v" "0123456789012345678901234567890123456789012345678901234567890123";
            set "v" "${v}${v}${v}${v}${v}${v}${v}${v}";
            set "v" "${v}${v}${v}${v}${v}${v}${v}${v}";
            addheader "X-Big" "${v}";
            """, settings: settings, limits: new SieveLimits { MaxVariableSize = 1 << 20 });
        Assert.That(big.Status, Is.EqualTo(SieveRunStatus.Completed), big.Error?.ToString());
        Assert.That(big.EditedMessage!.GetHeaderValues("X-Big").Single(), Has.Length.EqualTo(4096));

        SieveResult tooBig = SieveTestHelper.Run("""
            require ["editheader", "variables"];
            set "v" "0123456789012345678901234567890123456789012345678901234567890123";
            set "v" "${v}${v}${v}${v}${v}${v}${v}${v}${v}";
            set "v" "${v}${v}${v}${v}${v}${v}${v}${v}";
            addheader "X-Big" "${v}";
            """, settings: settings, limits: new SieveLimits { MaxVariableSize = 1 << 20 });
        Assert.That(tooBig.Status, Is.EqualTo(SieveRunStatus.Error));
        Assert.That(tooBig.Error!.Message, Does.Contain("too large (4608 bytes; the limit is 4096)"));
    }

    [Test]
    public void ManyHeaderEditsAreBoundedByTheFieldCapAndTheBudget()
    {
        var settings = new SieveSettings { MaxHeaderFields = 50 };
        string adds = string.Concat(Enumerable.Range(0, 60).Select(i => $"addheader \"X-N\" \"{i}\";\n"));
        SieveResult result = SieveTestHelper.Run("require \"editheader\";\n" + adds, settings: settings);
        Assert.That(result.Status, Is.EqualTo(SieveRunStatus.Error));
        Assert.That(result.Error!.Message, Does.Contain("header fields (the limit)"));

        // A long run of edits is bounded by the CPU budget.
        string many = string.Concat(Enumerable.Repeat("addheader \"X-N\" \"v\"; deleteheader \"X-N\";\n", 4000));
        SieveResult budget = SieveTestHelper.Run("require \"editheader\";\n" + many, limits: new SieveLimits { CpuInstructions = 1000 });
        Assert.That(budget.Status, Is.EqualTo(SieveRunStatus.BudgetExhausted));
    }

    [Test]
    public void IncludeRecursionAtRunTimeIsBounded()
    {
        // :once on a script that includes itself compiles (RFC 6609), and the run stops at the nesting limit.
        var settings = new SieveSettings
        {
            IncludeMaxNesting = 3,
            IncludeResolver = (name, _) => name == "self" ? "require \"include\"; include \"again\";" : name == "again" ? "require \"include\"; include :once \"self\";" : null,
        };
        SieveResult result = SieveTestHelper.Run("require \"include\"; include \"self\"; include \"self\";", settings: settings);
        Assert.That(result.Status, Is.EqualTo(SieveRunStatus.Completed), result.Error?.ToString());

        // Without :once the loop is refused at compile time.
        var loop = settings with { IncludeResolver = (name, _) => name == "self" ? "require \"include\"; include \"self\";" : null };
        SieveCompileResult compiled = SieveTestHelper.Compile("require \"include\"; include \"self\";", new SieveCompileOptions { Settings = loop });
        Assert.That(compiled.Errors.Select(e => e.Message), Has.Some.Contains("circular include of script 'self'"));
    }
}

/// <summary>Edits and actions on a big message: copies are charged to the budget, so a run ends quickly.</summary>
public sealed class BigMessageEditTests
{
    private static string BigMessage()
    {
        var sb = new StringBuilder("From: a@example.org\r\nSubject: big\r\nX-A: 1\r\n\r\n");
        string line = new string('x', 998) + "\r\n";
        while (sb.Length < 8 << 20)
        {
            sb.Append(line);
        }
        return sb.ToString();
    }

    [Test]
    public void AlternatingEditsAndActionsOnAnEightMegabyteMessageStayWithinTheBudget()
    {
        string body = string.Concat(Enumerable.Repeat("addheader \"X-B\" \"v\"; keep; deleteheader \"X-A\"; if size :over 1M { keep; } if body :raw :contains \"zzz\" { discard; }\n", 2000));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        SieveResult result = SieveTestHelper.Run("require [\"editheader\", \"body\"];\n" + body, BigMessage(), limits: new SieveLimits { CpuInstructions = 5000 });
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)));
        Assert.That(result.Status, Is.EqualTo(SieveRunStatus.BudgetExhausted));
        Assert.That(result.Error!.Message, Does.Contain("CPU limit of 5000"));
    }

    [Test]
    public void DeletingAnAbsentHeaderNeitherCopiesNorEdits()
    {
        string body = string.Concat(Enumerable.Repeat("deleteheader \"X-Absent\";\n", 1000));
        SieveResult result = SieveTestHelper.Run("require \"editheader\";\n" + body, BigMessage(), limits: new SieveLimits { CpuInstructions = 5000 });
        Assert.That(result.Status, Is.EqualTo(SieveRunStatus.Completed));
        Assert.That(result.EditedMessage, Is.Null);
    }

    [Test]
    public void AMessageMimeKitCannotMakeSenseOfGivesNoCrash()
    {
        const string message = "Content-Type: multipart/mixed; boundary=\"\r\nContent-Transfer-Encoding: base64\r\n\r\n--\r\n\r\n=?x?Q?\r\n--\r\n";
        SieveResult result = SieveTestHelper.Run("""
            require ["body", "foreverypart", "mime", "extracttext", "variables", "replace"];
            if body :content "" :contains "x" { discard; }
            foreverypart { extracttext "t"; if header :mime :param "boundary" "content-type" "" { keep; } }
            replace :mime "not a mime entity at all";
            """, message);
        // Everything before the replace ran on the broken structure; the replacement is refused with a clear error.
        Assert.That(result.Status, Is.EqualTo(SieveRunStatus.Error));
        Assert.That(result.Error!.Line, Is.EqualTo(4));
        Assert.That(result.Error.Message, Does.Contain("replace :mime: the replacement is not a MIME entity"));
        Assert.That(result.Actions.Single(), Is.EqualTo(new KeepAction([], Implicit: true)));
    }
}

/// <summary>Nesting a hostile message or host configuration could push onto the stack.</summary>
public sealed class NestingTests
{
    [Test]
    public void DeeplyNestedMessageRfc822PartsAreCapped()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 3000; i++)
        {
            sb.Append("Subject: level ").Append(i).Append("\r\nContent-Type: message/rfc822\r\n\r\n");
        }
        sb.Append("Subject: bottom\r\n\r\nbottom text\r\n");
        SieveResult result = SieveTestHelper.Run("""
            require ["foreverypart", "mime", "body", "variables", "fileinto"];
            set "n" "";
            foreverypart { set "n" "${n}x"; }
            if body :text :contains "bottom text" { discard; }
            set :length "count" "${n}";
            fileinto "${count}";
            """, sb.ToString(), limits: new SieveLimits { CpuInstructions = 50_000 });
        Assert.That(result.Status, Is.EqualTo(SieveRunStatus.Completed), result.Error?.ToString());
        // The walk stops at the depth cap (32 levels by default), far above the 3000 of the message.
        int parts = int.Parse(result.Actions.OfType<FileIntoAction>().Single().Mailbox, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(parts, Is.InRange(2, 40));
    }

    [Test]
    public void IncludeNestingIsCappedWhateverTheSettings()
    {
        var settings = new SieveSettings
        {
            IncludeMaxNesting = int.MaxValue,
            IncludeMaxIncludes = int.MaxValue,
            // Script n includes script n+1, without end.
            IncludeResolver = (name, _) => $"require \"include\"; include \"{int.Parse(name, System.Globalization.CultureInfo.InvariantCulture) + 1}\";",
        };
        SieveCompileResult result = SieveTestHelper.Compile("require \"include\"; include \"0\";", new SieveCompileOptions { Settings = settings });
        Assert.That(result.Success, Is.False);
        Assert.That(result.Errors.Select(e => e.Message), Has.Some.Contains("deeper than 64 levels"));
    }
}
