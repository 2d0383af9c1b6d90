namespace Sluice.Sieve.Tests.Pigeonhole;

/// <summary>Finds shared/sieve by walking up from the test assembly (CI keeps shared/ beside the clone).</summary>
internal static class SharedFolder
{
    private static readonly Lazy<string?> Found = new(Locate);

    public static string? SieveDirectory => Found.Value;

    public static string MissingMessage =>
        $"shared/sieve was not found in any ancestor of {AppContext.BaseDirectory}: the Pigeonhole suite is read from <ancestor>/shared/sieve";

    private static string? Locate()
    {
        // Bounded by the depth of the directory tree.
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "sieve");
            if (File.Exists(Path.Combine(candidate, "conformance-set.txt")))
            {
                return candidate;
            }
        }
        return null;
    }
}
