using Sluice.Fuzz;

namespace Sluice.Tests.Fuzz;

/// <summary>
/// Replays every seed and every kept crash input through its fuzz target in-process: the very check
/// afl-fuzz runs (split input equals whole input, no exception outside the documented errors), so a
/// crash once found stays fixed.
/// </summary>
public class FuzzRegressionTests
{
    private static IEnumerable<TestCaseData> Inputs() =>
        FuzzInputs.All(FuzzTargets.Names).Select(i => new TestCaseData(i.Target, i.RelativePath).SetArgDisplayNames(i.RelativePath));

    [TestCaseSource(nameof(Inputs))]
    public void Input_runs_through_its_target_without_a_finding(string target, string relativePath)
    {
        byte[] input = File.ReadAllBytes(FuzzInputs.FullPath(relativePath));
        Assert.DoesNotThrow(() => FuzzTargets.Run(target, input));
    }

    [Test]
    public void Every_target_has_a_seed_corpus()
    {
        Assert.That(FuzzInputs.RepositoryRoot, Is.Not.Null, "the repository root (Sluice.slnx with fuzz/corpus) above " + AppContext.BaseDirectory);
        var seeded = FuzzInputs.All(FuzzTargets.Names).Where(i => i.RelativePath.StartsWith("corpus/", StringComparison.Ordinal)).Select(i => i.Target).Distinct();
        Assert.That(seeded, Is.EquivalentTo(FuzzTargets.Names));
    }

    [Test]
    public void An_unknown_target_is_refused() =>
        Assert.That(() => FuzzTargets.Run("nope", []), Throws.ArgumentException);
}
