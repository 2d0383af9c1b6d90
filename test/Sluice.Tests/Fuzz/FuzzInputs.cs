namespace Sluice.Tests.Fuzz;

/// <summary>
/// The fuzz seed corpora (<c>fuzz/corpus/&lt;target&gt;</c>) and the crash inputs kept as regressions
/// (<c>fuzz/regressions/&lt;target&gt;</c>), found from the test's own directory upwards.
/// </summary>
internal static class FuzzInputs
{
    /// <summary>The repository root: the nearest directory above the tests that holds Sluice.slnx and fuzz/.</summary>
    public static string? RepositoryRoot { get; } = FindRoot(AppContext.BaseDirectory);

    /// <summary>(target, path relative to fuzz/) for every input file of every target.</summary>
    public static IEnumerable<(string Target, string RelativePath)> All(IEnumerable<string> targets)
    {
        if (RepositoryRoot is null)
        {
            yield break;
        }

        string fuzz = Path.Combine(RepositoryRoot, "fuzz");
        foreach (string kind in new[] { "corpus", "regressions" })
        {
            foreach (string target in targets)
            {
                string dir = Path.Combine(fuzz, kind, target);
                if (!Directory.Exists(dir))
                {
                    continue;
                }

                foreach (string file in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
                {
                    if (!Path.GetFileName(file).StartsWith('.'))
                    {
                        yield return (target, Path.GetRelativePath(fuzz, file).Replace('\\', '/'));
                    }
                }
            }
        }
    }

    public static string FullPath(string relativePath) => Path.Combine(RepositoryRoot!, "fuzz", relativePath);

    private static string? FindRoot(string start)
    {
        // Bounded by the depth of the path: each step goes one directory up until there is none.
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sluice.slnx")) && Directory.Exists(Path.Combine(dir.FullName, "fuzz", "corpus")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
