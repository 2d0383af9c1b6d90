namespace Sluice.Sieve.Tests.Unit;

/// <summary>RFC 5228's commands and tests, mostly from its examples.</summary>
public sealed class CoreLanguageTests
{
    [Test]
    public void EmptyScriptKeepsImplicitly()
    {
        SieveResult result = SieveTestHelper.Run("");
        Assert.That(result.Actions, Has.Count.EqualTo(1));
        Assert.That(result.Actions[0], Is.EqualTo(new KeepAction([], Implicit: true)).Using<KeepAction>((a, b) => a.Implicit == b.Implicit));
    }

    [Test]
    public void DiscardCancelsImplicitKeep() =>
        Assert.That(SieveTestHelper.Names(SieveTestHelper.Run("discard;")), Is.EqualTo(new[] { "discard" }));

    [Test]
    public void StopEndsTheScript() =>
        Assert.That(SieveTestHelper.Names(SieveTestHelper.Run("stop; discard;")), Is.EqualTo(new[] { "keep" }));

    [Test]
    public void IfElsifElseTakesTheFirstTrueBranch()
    {
        const string script = """
            if header :contains "subject" "nothing" { redirect "a@example.org"; }
            elsif header :contains "subject" "money" { redirect "b@example.org"; }
            else { redirect "c@example.org"; }
            """;
        SieveResult result = SieveTestHelper.Run(script);
        Assert.That(result.Actions, Is.EqualTo(new SieveAction[] { new RedirectAction("b@example.org", false) }));
    }

    // RFC 5228 §5 examples and variants.
    [TestCase("header :contains \"Subject\" \"MONEY\"", true)]
    [TestCase("header :comparator \"i;octet\" :contains \"Subject\" \"MONEY\"", false)]
    [TestCase("header :matches \"Subject\" \"*money*\"", true)]
    [TestCase("header :matches \"Subject\" \"Make?money*\"", true)]
    [TestCase("header :is \"Subject\" \"Make money\"", false)]
    [TestCase("header :is \"cc\" \"Jürgen <juergen@example.com>\"", true)]
    [TestCase("address :is :all \"from\" \"stephan+sieve@example.org\"", true)]
    [TestCase("address :domain \"to\" \"example.net\"", true)]
    [TestCase("address :localpart \"to\" \"nico\"", true)]
    [TestCase("address :all :comparator \"i;ascii-casemap\" \"from\" \"STEPHAN+SIEVE@EXAMPLE.ORG\"", true)]
    [TestCase("exists [\"From\", \"Subject\"]", true)]
    [TestCase("exists [\"From\", \"X-Nothing\"]", false)]
    [TestCase("size :over 100", true)]
    [TestCase("size :under 100", false)]
    [TestCase("not size :under 100", true)]
    [TestCase("allof (true, exists \"to\")", true)]
    [TestCase("anyof (false, false)", false)]
    [TestCase("header :matches \"subject\" \"\\\\*\"", false)]
    public void Test(string test, bool expected) =>
        Assert.That(SieveTestHelper.Holds("", test), Is.EqualTo(expected));

    [Test]
    public void ExactSizeIsNeitherOverNorUnder()
    {
        long size = SimpleSieveMessage.FromText(SieveTestHelper.DefaultMessage).Size;
        Assert.That(SieveTestHelper.Holds("", $"size :over {size}"), Is.False);
        Assert.That(SieveTestHelper.Holds("", $"size :under {size}"), Is.False);
    }

    [Test]
    public void RedirectIsRecordedAndDuplicatesMerge()
    {
        SieveResult result = SieveTestHelper.Run("redirect \"Someone <a@example.org>\"; redirect \"a@example.org\";");
        Assert.That(result.Actions, Is.EqualTo(new SieveAction[] { new RedirectAction("a@example.org", false) }));
    }

    [Test]
    public void RedirectLimitIsARuntimeError()
    {
        SieveResult result = SieveTestHelper.Run("redirect \"a@example.org\"; redirect \"b@example.org\";", limits: new SieveLimits { Redirects = 1 });
        Assert.That(result.Status, Is.EqualTo(SieveRunStatus.Error));
        Assert.That(result.Error!.Message, Does.Contain("too many redirect actions"));
        Assert.That(result.Error.Line, Is.EqualTo(1));
        Assert.That(result.Actions.Single(), Is.InstanceOf<KeepAction>().With.Property("Implicit").True);
    }

    [Test]
    public void KeepIsExplicit()
    {
        SieveResult result = SieveTestHelper.Run("keep;");
        Assert.That(result.Actions.Single(), Is.InstanceOf<KeepAction>().With.Property("Implicit").False);
    }

    [Test]
    public void ACompiledScriptRunsConcurrently()
    {
        // A script is compiled once and shared by every session: runs must not share state.
        SieveScript script = SieveTestHelper.CompileOk("""
            require ["variables", "fileinto"];
            if header :matches "subject" "*-*" { set "n" "${2}"; fileinto "box-${n}"; }
            """);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 400, i =>
        {
            SieveResult result = SieveInterpreter.Run(script, new SieveRunContext
            {
                Message = SimpleSieveMessage.FromText($"Subject: run-{i}\r\n\r\n"),
            });
            if (result.Actions is not [FileIntoAction { Mailbox: var box }] || box != $"box-{i}")
            {
                failures.Add($"run {i}: {string.Join(",", result.Actions)}");
            }
        });
        Assert.That(failures, Is.Empty);
    }
}
