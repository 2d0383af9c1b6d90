namespace Sluice.Configuration;

/// <summary>
/// A setting that SPEC marks <em>rule</em>: a value that may depend on the connection (IP, listener,
/// sender...). A plain value is a rule with only an <c>else</c> branch. Conditional branches are
/// compiled by the rules engine; until a rule has any, <see cref="Evaluate"/> is the constant.
/// </summary>
public sealed class Rule<T>
{
    private Rule(T value) => Else = value;

    /// <summary>The value when no condition matches (for a plain setting: the value).</summary>
    public T Else { get; }

    /// <summary>True when the rule has no conditions: its value does not depend on the session.</summary>
    public bool IsConstant => true;

    public static Rule<T> Constant(T value) => new(value);

    /// <summary>The value for the given context. Constant rules ignore the context.</summary>
    public T Evaluate(RuleContext? context = null) => Else;

    public override string ToString() => Else?.ToString() ?? "false";
}

/// <summary>
/// The session variables rules are evaluated against (SPEC §2.2: <c>remote-ip</c>, <c>listener</c>,
/// <c>sender</c>...). A variable not yet known at a stage is the empty string.
/// </summary>
public sealed class RuleContext
{
    public string Listener { get; set; } = string.Empty;

    public System.Net.IPAddress? RemoteIp { get; set; }

    public int RemotePort { get; set; }

    public System.Net.IPAddress? LocalIp { get; set; }

    public int LocalPort { get; set; }

    public string HeloDomain { get; set; } = string.Empty;

    public string Sender { get; set; } = string.Empty;

    public string Recipient { get; set; } = string.Empty;
}
