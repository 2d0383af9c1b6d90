using System.Diagnostics;
using System.Text;

namespace Sluice.Sieve.Tests.Unit;

/// <summary>
/// Scripts written to hurt: each must end with a clear error within its budget, never hang, overflow
/// the stack or crash the process. The time bounds are generous; they catch hangs, not slowness.
/// </summary>
public sealed class HostileScriptTests
{
    private static SieveCompileResult CompileQuickly(string script)
    {
        var watch = Stopwatch.StartNew();
        SieveCompileResult result = SieveCompiler.Compile(script);
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        return result;
    }

    [Test]
    public void DeeplyNestedBlocks()
    {
        const int depth = 100_000;
        string script = string.Concat(Enumerable.Repeat("if true { ", depth)) + "keep;" + new string('}', depth);
        SieveCompileResult result = CompileQuickly(script);
        Assert.That(result.Errors[0].Message, Does.Contain("cannot nest command blocks deeper than 32"));
    }

    [Test]
    public void DeeplyNestedTests()
    {
        SieveCompileResult nots = CompileQuickly("if " + string.Concat(Enumerable.Repeat("not ", 200_000)) + "true { keep; }");
        Assert.That(nots.Errors[0].Message, Does.Contain("cannot nest tests deeper than 32"));

        SieveCompileResult lists = CompileQuickly("if " + string.Concat(Enumerable.Repeat("anyof(", 200_000)) + "true" + new string(')', 200_000) + " { keep; }");
        Assert.That(lists.Errors[0].Message, Does.Contain("cannot nest tests deeper than 32"));
    }

    [Test]
    public void UnbalancedBracketsAndGarbage()
    {
        foreach (string script in new[] { new string('[', 100_000), new string('(', 100_000), new string('{', 100_000), new string('}', 100_000), "if " + new string('(', 100_000), new string('$', 100_000) })
        {
            SieveCompileResult result = CompileQuickly(script);
            Assert.That(result.Success, Is.False, script[..10]);
        }
    }

    [Test]
    public void HugeStringLiteral()
    {
        string script = "require \"fileinto\"; fileinto \"" + new string('a', 2_000_000) + "\";";
        SieveCompileResult result = CompileQuickly(script);
        Assert.That(result.Errors[0].Message, Does.Contain("string exceeds the maximum length"));
    }

    [Test]
    public void LongScriptRunsOutOfBudget()
    {
        string script = string.Concat(Enumerable.Repeat("if header :contains \"subject\" \"x\" { keep; }\n", 10_000));
        SieveResult result = SieveTestHelper.Run(script, limits: new SieveLimits { CpuInstructions = 5000 });
        Assert.That(result.Status, Is.EqualTo(SieveRunStatus.BudgetExhausted));
        Assert.That(result.Error!.Message, Does.Contain("CPU limit of 5000"));
        Assert.That(result.InstructionsUsed, Is.LessThanOrEqualTo(5001));
    }

    [Test]
    public void PathologicalWildcardIsBounded()
    {
        string value = new('a', 3000);
        string pattern = string.Concat(Enumerable.Repeat("*a", 200)) + "*b";
        string script = $"require \"variables\"; set \"v\" \"{value}\"; if string :matches \"${{v}}\" \"{pattern}\" {{ discard; }}";
        var watch = Stopwatch.StartNew();
        SieveResult result = SieveTestHelper.Run(script, limits: new SieveLimits { CpuInstructions = 5000, MaxVariableSize = 4000 });
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(result.Status, Is.AnyOf(SieveRunStatus.Completed, SieveRunStatus.BudgetExhausted));
        Assert.That(result.Actions.OfType<DiscardAction>(), Is.Empty);
    }

    [Test]
    public void DoublingVariableStaysWithinItsLimit()
    {
        var sb = new StringBuilder("require \"variables\"; set \"a\" \"xxxxxxxxxx\";\n");
        for (int i = 0; i < 40; i++)
        {
            sb.Append("set \"a\" \"${a}${a}\";\n");
        }
        sb.Append("set :length \"n\" \"${a}\"; if string \"${n}\" \"4000\" { discard; }");
        SieveResult result = SieveTestHelper.Run(sb.ToString());
        Assert.That(SieveTestHelper.Names(result), Is.EqualTo(new[] { "discard" }));
    }

    [Test]
    public void ManyKeysAgainstManyHeadersRunOutOfBudget()
    {
        var message = new StringBuilder();
        for (int i = 0; i < 2000; i++)
        {
            message.Append("X-H: value ").Append(i).Append("\r\n");
        }
        message.Append("\r\nbody\r\n");
        string keys = string.Join(", ", Enumerable.Range(0, 1000).Select(i => $"\"k{i}\""));
        SieveResult result = SieveTestHelper.Run($"if header :contains \"x-h\" [{keys}] {{ discard; }}", message.ToString());
        Assert.That(result.Status, Is.EqualTo(SieveRunStatus.BudgetExhausted));
    }

    [Test]
    public void TooManyActions()
    {
        string script = "require \"fileinto\";" + string.Concat(Enumerable.Range(0, 100).Select(i => $"fileinto \"f{i}\";"));
        SieveResult result = SieveTestHelper.Run(script, limits: new SieveLimits { MaxActions = 64 });
        Assert.That(result.Status, Is.EqualTo(SieveRunStatus.Error));
        Assert.That(result.Error!.Message, Does.Contain("too many actions"));
    }

    [Test]
    public void MillionsOfErrorsAreCappedInTheReport()
    {
        string script = string.Concat(Enumerable.Repeat("frop $;\n", 200_000));
        SieveCompileResult result = CompileQuickly(script);
        Assert.That(result.Success, Is.False);
        Assert.That(result.Diagnostics, Has.Count.EqualTo(1001));
        Assert.That(result.Diagnostics[^1].Message, Does.Contain("too many errors"));
    }

    [Test]
    public void NestingUpToTheLimitsCompilesAndRuns()
    {
        // 31 nested blocks and 31 nested tests under each if: the deepest the limits allow.
        string test = string.Concat(Enumerable.Repeat("not ", 30)) + "true";
        string script = string.Concat(Enumerable.Repeat($"if {test} {{ ", 31)) + "discard;" + new string('}', 31);
        SieveResult result = SieveTestHelper.Run(script);
        Assert.That(SieveTestHelper.Names(result), Is.EqualTo(new[] { "discard" }));
    }
}
