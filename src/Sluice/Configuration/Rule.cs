using System.Text.RegularExpressions;
using Sluice.Configuration.Rules;

namespace Sluice.Configuration;

/// <summary>
/// A setting that SPEC marks <em>rule</em> (§2.2): a value that may depend on the session (IP,
/// listener, sender...). A plain value is a rule with only an <c>else</c>. Conditional rules are
/// compiled at start-up by <see cref="RuleCompiler"/> into a list of (condition, value) branches;
/// <see cref="Evaluate"/> returns the value of the first branch whose condition holds, else
/// <see cref="Else"/>. Immutable and shared by every session.
/// </summary>
public sealed class Rule<T>
{
    /// <summary>What a rule evaluated without a context sees: every variable unknown (""). Never modified.</summary>
    private static readonly RuleContext s_unknown = new();

    private readonly RuleBranch<T>[] _branches;
    private readonly uint _variables;

    private Rule(RuleBranch<T>[] branches, T @else)
    {
        _branches = branches;
        Else = @else;
        foreach (var branch in branches)
        {
            _variables |= branch.Condition.Variables;
        }
    }

    /// <summary>The value when no condition matches (for a plain setting: the value).</summary>
    public T Else { get; }

    /// <summary>True when the rule has no conditions: its value does not depend on the session.</summary>
    public bool IsConstant => _branches.Length == 0;

    /// <summary>The number of <c>if</c>/<c>all-of</c>/<c>any-of</c>/<c>none-of</c> branches before the <c>else</c>.</summary>
    public int BranchCount => _branches.Length;

    public static Rule<T> Constant(T value) => new([], value);

    internal static Rule<T> Conditional(RuleBranch<T>[] branches, T @else) => new(branches, @else);

    /// <summary>True when some condition of the rule reads <paramref name="variable"/>.</summary>
    public bool DependsOn(RuleVariable variable) => (_variables & (1u << (int)variable)) != 0;

    /// <summary>
    /// The value for <paramref name="context"/>: the first branch whose condition holds, else
    /// <see cref="Else"/>. Without a context every variable reads as "". Allocates nothing unless
    /// the chosen <c>then</c> substitutes regex groups (<c>${1}</c>).
    /// </summary>
    public T Evaluate(RuleContext? context = null)
    {
        var branches = _branches;
        if (branches.Length == 0)
        {
            return Else;
        }
        context ??= s_unknown;
        for (var i = 0; i < branches.Length; i++)
        {
            var branch = branches[i];
            Match? match = null;
            if (branch.Condition.Test(context, ref match))
            {
                return branch.Template is null ? branch.Value : branch.Expand(match);
            }
        }
        return Else;
    }

    public override string ToString() => IsConstant
        ? Else?.ToString() ?? "false"
        : $"rule with {_branches.Length} branch(es), else {Else?.ToString() ?? "false"}";
}

/// <summary>One <c>{ if ..., then = ... }</c> block of a compiled rule.</summary>
internal sealed class RuleBranch<T>(RuleCondition condition, T value, RuleTemplate? template, Func<string, T>? fromText)
{
    public RuleCondition Condition { get; } = condition;

    public T Value { get; } = value;

    /// <summary>Set when <c>then</c> substitutes regex groups; <see cref="Value"/> is then the unexpanded text.</summary>
    public RuleTemplate? Template { get; } = template;

    public T Expand(Match? match) => fromText!(Template!.Expand(match));
}
