using Sluice.Sieve;

namespace Sluice.Configuration.Settings;

/// <summary>
/// The <c>[sieve]</c> section (SPEC §2.8) and the <c>session.*.script</c> rules that pick a script
/// per stage: every script compiled at start-up, the run limits and the programs
/// <c>vnd.sluice.execute</c> may run.
/// </summary>
public sealed class SieveScriptSettings
{
    /// <summary>No scripts, no stage runs one (the default).</summary>
    public static SieveScriptSettings Empty { get; } = new();

    /// <summary>Every <c>sieve.scripts.&lt;name&gt;</c> that compiled, by name (names compare ignoring case).</summary>
    public IReadOnlyDictionary<string, SieveScript> Scripts { get; init; } = new Dictionary<string, SieveScript>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The text of every script, for <c>include</c>.</summary>
    public IReadOnlyDictionary<string, string> Texts { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary><c>sieve.limits.*</c>.</summary>
    public SieveLimits Limits { get; init; } = new();

    /// <summary>Extension settings the scripts compiled with (include nesting, list names).</summary>
    public Sieve.SieveSettings Extensions { get; init; } = Sieve.SieveSettings.Default;

    /// <summary><c>sieve.allowed-programs</c>: absolute paths <c>vnd.sluice.execute</c> may run.</summary>
    public IReadOnlyList<string> AllowedPrograms { get; init; } = [];

    /// <summary>How long one program may run before it is killed.</summary>
    public TimeSpan ProgramTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The script each stage runs for a session; null (false in TOML) runs none.</summary>
    public SieveStageScripts Stages { get; internal set; } = SieveStageScripts.None;
}

/// <summary><c>session.connect.script</c> ... <c>session.data.script</c>: rule → script name or false (null).</summary>
public sealed record SieveStageScripts
{
    public static SieveStageScripts None { get; } = new();

    public Rule<string?> Connect { get; init; } = Rule<string?>.Constant(null);

    public Rule<string?> Ehlo { get; init; } = Rule<string?>.Constant(null);

    public Rule<string?> Mail { get; init; } = Rule<string?>.Constant(null);

    public Rule<string?> Rcpt { get; init; } = Rule<string?>.Constant(null);

    public Rule<string?> Data { get; init; } = Rule<string?>.Constant(null);
}
