namespace Sluice.Fuzz;

/// <summary>The fuzz targets by name: what <c>dotnet Sluice.Fuzz.dll &lt;target&gt;</c> runs and what the regression tests replay.</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<string> Names { get; } = ["command", "data", "config", "sieve"];

    /// <summary>Runs one input through the named target; throws on a finding.</summary>
    public static void Run(string target, ReadOnlySpan<byte> input)
    {
        switch (target)
        {
            case "command":
                CommandTarget.Run(input);
                break;
            case "data":
                DataTarget.Run(input);
                break;
            case "config":
                ConfigTarget.Run(input);
                break;
            case "sieve":
                SieveTarget.Run(input);
                break;
            default:
                throw new ArgumentException($"unknown fuzz target '{target}' (known: {string.Join(", ", Names)})", nameof(target));
        }
    }
}
