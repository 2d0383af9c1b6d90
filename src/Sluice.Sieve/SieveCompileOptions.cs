namespace Sluice.Sieve;

public sealed record SieveCompileOptions
{
    public static SieveCompileOptions Default { get; } = new();

    public SieveExtensionSet Extensions { get; init; } = SieveExtensionSet.Default;

    /// <summary>Extension settings the compile checks constant arguments against, and include's resolver.</summary>
    public SieveSettings Settings { get; init; } = SieveSettings.Default;

    /// <summary>Characters one string literal may have.</summary>
    public int MaxStringLength { get; init; } = 1 << 20;

    /// <summary>Variable namespaces the host fills at run time (e.g. "env", "envelope"); others are errors.</summary>
    public IReadOnlySet<string> VariableNamespaces { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Errors and warnings kept from one compile (the count of errors is not capped).</summary>
    public int MaxErrors { get; init; } = 1000;

    /// <summary>Variables one script may declare (RFC 5229 leaves this to the implementation).</summary>
    public int MaxVariables { get; init; } = 255;
}

/// <summary>The outcome of a compile: a script, or the errors (each with line and column).</summary>
public sealed class SieveCompileResult
{
    internal SieveCompileResult(SieveScript? script, IReadOnlyList<SieveError> diagnostics)
    {
        Script = script;
        Diagnostics = diagnostics;
        Errors = diagnostics.Where(d => d.Severity == SieveErrorSeverity.Error).ToList();
    }

    public SieveScript? Script { get; }

    public IReadOnlyList<SieveError> Errors { get; }

    /// <summary>Errors and warnings, in the order they were found.</summary>
    public IReadOnlyList<SieveError> Diagnostics { get; }

    public bool Success => Script is not null;
}
