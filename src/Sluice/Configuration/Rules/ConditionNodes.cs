using System.Net;
using System.Text.RegularExpressions;
using Sluice.Directories;

namespace Sluice.Configuration.Rules;

/// <summary>The string comparators that are one call on the variable's text.</summary>
internal enum TextComparison
{
    Equals,
    StartsWith,
    EndsWith,
}

/// <summary><c>eq</c>/<c>ne</c>, <c>starts-with</c>, <c>ends-with</c> and their negations; ordinal, ignoring case.</summary>
internal sealed class TextCondition(RuleVariable variable, TextComparison comparison, string value, bool negate) : RuleCondition(Bit(variable))
{
    internal override bool Test(RuleContext context, ref Match? match)
    {
        var text = context.ValueOf(variable);
        var result = comparison switch
        {
            TextComparison.Equals => string.Equals(text, value, StringComparison.OrdinalIgnoreCase),
            TextComparison.StartsWith => text.StartsWith(value, StringComparison.OrdinalIgnoreCase),
            _ => text.EndsWith(value, StringComparison.OrdinalIgnoreCase),
        };
        return result != negate;
    }
}

/// <summary><c>eq</c>/<c>ne</c> on an IP variable with an address or CIDR: network membership. An unknown address is in no network.</summary>
internal sealed class NetworkCondition(RuleVariable variable, IPNetwork network, bool negate) : RuleCondition(Bit(variable))
{
    internal override bool Test(RuleContext context, ref Match? match)
    {
        var address = context.AddressOf(variable);
        return (address is not null && network.Contains(address)) != negate;
    }
}

/// <summary>
/// <c>matches</c>/<c>not-matches</c>. Without capture it only asks "is there a match" (no allocation);
/// with capture (a <c>then</c> uses <c>${n}</c>) it keeps the <see cref="Match"/> for the substitution.
/// A regex that runs past its timeout counts as a failed condition, for both forms.
/// </summary>
internal sealed class RegexCondition(RuleVariable variable, Regex regex, bool negate, bool capture) : RuleCondition(Bit(variable))
{
    internal override bool Test(RuleContext context, ref Match? match)
    {
        var text = context.ValueOf(variable);
        try
        {
            if (capture)
            {
                var found = regex.Match(text);
                if (found.Success)
                {
                    match = found;
                    return true;
                }
                return false;
            }
            return regex.IsMatch(text.AsSpan()) != negate;
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}

/// <summary><c>in-list</c>/<c>not-in-list</c>: membership in a directory lookup list; by network for IP variables.</summary>
internal sealed class ListCondition(RuleVariable variable, ILookupList list, bool negate) : RuleCondition(Bit(variable))
{
    private readonly bool _byAddress = RuleVariables.IsAddress(variable);

    internal override bool Test(RuleContext context, ref Match? match)
    {
        bool found;
        if (_byAddress)
        {
            var address = context.AddressOf(variable);
            found = address is not null && list.Contains(address);
        }
        else
        {
            found = list.Contains(context.ValueOf(variable));
        }
        return found != negate;
    }
}

/// <summary><c>all-of</c>: every condition holds. On failure the captured match is restored to what it was.</summary>
internal sealed class AllOfCondition(RuleCondition[] conditions) : RuleCondition(BitsOf(conditions))
{
    internal override bool Test(RuleContext context, ref Match? match)
    {
        var saved = match;
        foreach (var condition in conditions)
        {
            if (!condition.Test(context, ref match))
            {
                match = saved;
                return false;
            }
        }
        return true;
    }
}

/// <summary><c>any-of</c>: at least one condition holds (the first that does decides the captured match).</summary>
internal sealed class AnyOfCondition(RuleCondition[] conditions) : RuleCondition(BitsOf(conditions))
{
    internal override bool Test(RuleContext context, ref Match? match)
    {
        foreach (var condition in conditions)
        {
            var saved = match;
            if (condition.Test(context, ref match))
            {
                return true;
            }
            match = saved;
        }
        return false;
    }
}

/// <summary><c>none-of</c>: no condition holds. Its regexes never capture.</summary>
internal sealed class NoneOfCondition(RuleCondition[] conditions) : RuleCondition(BitsOf(conditions))
{
    internal override bool Test(RuleContext context, ref Match? match)
    {
        Match? ignored = null;
        foreach (var condition in conditions)
        {
            if (condition.Test(context, ref ignored))
            {
                return false;
            }
        }
        return true;
    }
}
