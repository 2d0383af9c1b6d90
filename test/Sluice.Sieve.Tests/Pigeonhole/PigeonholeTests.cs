namespace Sluice.Sieve.Tests.Pigeonhole;

/// <summary>
/// Dovecot Pigeonhole's conformance scripts (shared/sieve/pigeonhole-tests, read in place), one NUnit
/// case per `test` block. Each file runs once, in order; its cases read the cached outcome.
/// </summary>
[TestFixture]
[Category("Pigeonhole")]
public sealed class PigeonholeTests
{
    public static IEnumerable<TestCaseData> Cases()
    {
        string? dir = SharedFolder.SieveDirectory;
        if (dir is null)
        {
            yield return new TestCaseData("", "", 0).SetName("Pigeonhole suite location");
            yield break;
        }
        foreach (string line in File.ReadAllLines(Path.Combine(dir, "conformance-set.txt")))
        {
            string file = line.Trim();
            if (file.Length == 0)
            {
                continue;
            }
            List<string> names = PigeonholeRunner.DiscoverCases(Path.Combine(dir, "pigeonhole-tests", file));
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (string name in names)
            {
                int occurrence = seen.TryGetValue(name, out int n) ? n + 1 : 0;
                seen[name] = occurrence;
                string label = occurrence == 0 ? name : $"{name} #{occurrence + 1}";
                yield return new TestCaseData(file, name, occurrence).SetName($"{file} :: {label}");
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Case(string file, string name, int occurrence)
    {
        if (SharedFolder.SieveDirectory is null)
        {
            Assert.Fail(SharedFolder.MissingMessage);
        }
        FileRun run = PigeonholeRunner.Get(file);
        var partTwo = run.MissingExtensions.Where(SuiteSession.PartTwoExtensions.Contains).ToList();
        if (run.Cases.Count == 0 && run.FileFailure is not null)
        {
            // The README: failures/fuzz4 alone needs enotify, which Sluice does not implement.
            if (run.MissingExtensions.Contains("enotify"))
            {
                Assert.Ignore("needs enotify (RFC 5435 notifications), which Sluice does not implement");
            }
            if (partTwo.Count > 0)
            {
                Assert.Inconclusive($"not yet: needs part-2 extension(s) {string.Join(", ", partTwo)}");
            }
            Assert.Fail(run.FileFailure);
        }
        CaseResult? result = run.Cases.Where(c => c.Name == name).Skip(occurrence).FirstOrDefault();
        if (result is null)
        {
            Assert.Fail($"the case never ran{(run.FileFailure is null ? "" : ": " + run.FileFailure)}");
        }
        // A case that leans on a feature Sluice does not have is not judged on what followed from it.
        if (result!.NotApplicable is not null)
        {
            Assert.Ignore("not applicable to Sluice: " + result.NotApplicable);
        }
        // A case whose scripts need a part-2 extension is "not yet" even when it happens to pass
        // (an error count can match by coincidence): it is never counted as passed.
        if (result.MissingExtensions.Count > 0)
        {
            string outcome = result.Failure is null ? "its checks happened to hold" : result.Failure;
            Assert.Inconclusive($"not yet: needs part-2 extension(s) {string.Join(", ", result.MissingExtensions)} ({outcome})");
        }
        // Pigeonhole runs failures/ in "expect failure" mode: these scripts once crashed the
        // interpreter, and every case must now fail gracefully (a reported failure, no crash).
        if (file.StartsWith("failures/", StringComparison.Ordinal))
        {
            Assert.That(result.Failure, Is.Not.Null, "a case of failures/ is expected to fail gracefully, but it succeeded");
            return;
        }
        Assert.That(result.Failure, Is.Null, result.Failure);
    }
}
