namespace Sluice.Sieve;

/// <summary>Bounds on one run, so an administrator's script cannot exhaust the server.</summary>
public sealed record SieveLimits
{
    /// <summary>Instructions and test evaluations a run may take (SPEC: sieve.limits.cpu).</summary>
    public long CpuInstructions { get; init; } = 5000;

    /// <summary>redirect actions one run may produce (SPEC: sieve.limits.redirects).</summary>
    public int Redirects { get; init; } = 1;

    /// <summary>Depth of nested includes (SPEC: sieve.limits.nested-includes). The include extension
    /// enforces <see cref="SieveSettings.IncludeMaxNesting"/> (at compile and run time): hosts set both.</summary>
    public int NestedIncludes { get; init; } = 3;

    /// <summary>Bytes (UTF-8) a variable may hold; longer values are cut at a character boundary.</summary>
    public int MaxVariableSize { get; init; } = 4000;

    /// <summary>Characters one evaluated string may have.</summary>
    public int MaxStringLength { get; init; } = 1 << 20;

    /// <summary>Actions one run may produce.</summary>
    public int MaxActions { get; init; } = 64;
}
