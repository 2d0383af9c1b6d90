using System.Text;

namespace Sluice.Sieve.Tests.Unit;

/// <summary>A run's allocations do not grow with the number of header tests in the script.</summary>
public sealed class AllocationTests
{
    private static long AllocatedPerRun(string kind, int rules)
    {
        var sb = new StringBuilder("require \"fileinto\";\n");
        for (int i = 0; i < rules; i++)
        {
            sb.AppendLine(kind.Replace("{i}", i.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }
        SieveScript script = SieveTestHelper.CompileOk("require \"envelope\";\n" + sb.ToString());
        var context = new SieveRunContext
        {
            Message = SimpleSieveMessage.FromText(SieveTestHelper.DefaultMessage),
            Envelope = new SieveEnvelope { From = "a@example.org", To = ["b@example.net"] },
            Limits = new SieveLimits { CpuInstructions = 100_000 },
        };
        for (int i = 0; i < 3; i++)
        {
            SieveInterpreter.Run(script, context);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        SieveResult result = SieveInterpreter.Run(script, context);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(result.Status, Is.EqualTo(SieveRunStatus.Completed));
        return allocated;
    }

    [TestCase("if header :contains \"subject\" \"viagra{i}\" { fileinto \"Junk\"; }")]
    [TestCase("if header :is \"x-spam-score\" \"{i}0\" { fileinto \"Junk\"; }")]
    [TestCase("if header :contains [\"subject\", \"x-mailer\"] [\"a{i}x\", \"b{i}y\"] { fileinto \"Junk\"; }")]
    [TestCase("if exists \"list-id{i}\" { fileinto \"Lists\"; }")]
    [TestCase("if not header :matches \"from\" \"*nobody{i}*\" { }")]
    [TestCase("if address :domain :is [\"from\", \"to\"] \"spam{i}.example\" { fileinto \"Junk\"; }")]
    [TestCase("if address :is \"to\" \"ceo{i}@example.net\" { fileinto \"Boss\"; }")]
    [TestCase("if envelope :localpart :is \"to\" \"abuse{i}\" { redirect \"abuse@example.net\"; }")]
    [TestCase("if envelope :domain :is [\"from\", \"to\"] \"spam{i}.example\" { discard; }")]
    public void HeaderTestsAllocateNothingPerRule(string rule)
    {
        long ten = AllocatedPerRun(rule, 10);
        long hundred = AllocatedPerRun(rule, 100);
        TestContext.Out.WriteLine($"10 rules: {ten} B, 100 rules: {hundred} B");
        Assert.That(hundred - ten, Is.LessThan(90 * 8), $"10 rules: {ten} B, 100 rules: {hundred} B");
    }
}
