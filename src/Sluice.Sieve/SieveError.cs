namespace Sluice.Sieve;

public enum SieveErrorSeverity
{
    Error,
    Warning,
}

/// <summary>A compile or run-time problem, located in the script by line and column (1-based).</summary>
public sealed record SieveError(int Line, int Column, string Message, SieveErrorSeverity Severity = SieveErrorSeverity.Error)
{
    public override string ToString() => $"{Line}:{Column}: {(Severity == SieveErrorSeverity.Warning ? "warning" : "error")}: {Message}";
}

/// <summary>Collects the errors of one compile; keeps going after each so a script's every error is reported.</summary>
internal sealed class Diagnostics(int maxItems)
{
    private readonly List<SieveError> _items = [];

    public int ErrorCount { get; private set; }

    public IReadOnlyList<SieveError> Items => _items;

    /// <summary>Put before every message while an included script compiles ("included script 'x': ").</summary>
    public string Prefix { get; set; } = "";

    public void Error(int line, int column, string message)
    {
        ErrorCount++;
        Add(new SieveError(line, column, Prefix + message));
    }

    public void Warning(int line, int column, string message) =>
        Add(new SieveError(line, column, message, SieveErrorSeverity.Warning));

    /// <summary>Keeps the first errors of a script that has very many (a hostile one can have millions);
    /// the count goes on, so the compile still fails.</summary>
    private void Add(SieveError error)
    {
        if (_items.Count < maxItems)
        {
            _items.Add(error);
        }
        else if (_items.Count == maxItems)
        {
            _items.Add(new SieveError(error.Line, error.Column, $"too many errors; only the first {maxItems} are reported"));
        }
    }
}
