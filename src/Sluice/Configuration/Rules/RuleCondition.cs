using System.Text.RegularExpressions;
using Sluice.Configuration.Rules;

namespace Sluice.Configuration;

/// <summary>
/// A compiled condition: one <c>if</c> block, or an <c>all-of</c>/<c>any-of</c>/<c>none-of</c> of
/// them. Built once at start-up by <see cref="RuleCompiler"/>; testing it reads the context and
/// allocates nothing (except a regex <see cref="Match"/> when a <c>then</c> uses <c>${n}</c>).
/// Immutable, so one instance serves every session at once.
/// </summary>
public abstract class RuleCondition
{
    private readonly uint _variables;

    private protected RuleCondition(uint variables) => _variables = variables;

    /// <summary>True when the condition holds for <paramref name="context"/>.</summary>
    public bool IsTrue(RuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Match? match = null;
        return Test(context, ref match);
    }

    /// <summary>True when the condition reads <paramref name="variable"/> (throttles use this to find the stage where it can run).</summary>
    public bool DependsOn(RuleVariable variable) => (_variables & (1u << (int)variable)) != 0;

    internal uint Variables => _variables;

    /// <summary>Tests the condition; a capturing <c>matches</c> that succeeds leaves its match in <paramref name="match"/>.</summary>
    internal abstract bool Test(RuleContext context, ref Match? match);

    private protected static uint Bit(RuleVariable variable) => 1u << (int)variable;

    private protected static uint BitsOf(RuleCondition[] children)
    {
        uint bits = 0;
        foreach (var child in children)
        {
            bits |= child._variables;
        }
        return bits;
    }
}
