namespace Sluice.Sieve.Runtime;

/// <summary>The relational operators of RFC 5231.</summary>
internal enum Relation
{
    None,
    GreaterThan,
    GreaterOrEqual,
    LessThan,
    LessOrEqual,
    Equal,
    NotEqual,
}

internal static class Relations
{
    public static Relation Parse(string text) => text.ToUpperInvariant() switch
    {
        "GT" => Relation.GreaterThan,
        "GE" => Relation.GreaterOrEqual,
        "LT" => Relation.LessThan,
        "LE" => Relation.LessOrEqual,
        "EQ" => Relation.Equal,
        "NE" => Relation.NotEqual,
        _ => Relation.None,
    };

    public static bool Holds(Relation relation, int comparison) => relation switch
    {
        Relation.GreaterThan => comparison > 0,
        Relation.GreaterOrEqual => comparison >= 0,
        Relation.LessThan => comparison < 0,
        Relation.LessOrEqual => comparison <= 0,
        Relation.Equal => comparison == 0,
        Relation.NotEqual => comparison != 0,
        _ => false,
    };
}

/// <summary>A match type (":is", ":contains", ":matches", and extensions' ":count", ":value", ...).</summary>
internal abstract class MatchTypeDefinition
{
    public abstract string Name { get; }

    /// <summary>The capability that must be required; null for the core ones.</summary>
    public virtual string? Capability => null;

    /// <summary>Takes a relational operator string (":count "gt"").</summary>
    public virtual bool TakesRelation => false;

    /// <summary>Needs a comparator with substring operations (RFC 4790).</summary>
    public virtual bool NeedsSubstring => false;

    /// <summary>Compares the number of values rather than each value.</summary>
    public virtual bool CountsValues => false;

    /// <summary>Sets ${1}.. on success when the variables extension is in use.</summary>
    public virtual bool Captures => false;

    /// <summary>The match puts the whole matched text at captures[0] itself (:regex); else ${0} is the value.</summary>
    public virtual bool FillsWholeMatch => false;

    /// <summary>Compile-time checks of the command using this match type (constant keys, comparator).</summary>
    public virtual void Validate(Compiler.BuildContext context, Compiler.BoundCommand command)
    {
    }

    /// <summary>Called once per test with the keys before any value is matched (:regex checks them).</summary>
    public virtual void Prepare(RunState state, IReadOnlyList<string> keys, ComparatorDefinition comparator)
    {
    }

    /// <summary>One value against one key; captures get the wildcard expansions when not null.</summary>
    public abstract bool Match(RunState state, string value, string key, ComparatorDefinition comparator, Relation relation, List<string>? captures);
}

internal sealed class IsMatchType : MatchTypeDefinition
{
    public override string Name => "is";

    public override bool Match(RunState state, string value, string key, ComparatorDefinition comparator, Relation relation, List<string>? captures) =>
        comparator.AreEqual(value, key);
}

internal sealed class ContainsMatchType : MatchTypeDefinition
{
    public override string Name => "contains";

    public override bool NeedsSubstring => true;

    public override bool Match(RunState state, string value, string key, ComparatorDefinition comparator, Relation relation, List<string>? captures)
    {
        state.Tick(1 + value.Length / 4096);
        return comparator.Contains(value, key);
    }
}

internal sealed class MatchesMatchType : MatchTypeDefinition
{
    public override string Name => "matches";

    public override bool NeedsSubstring => true;

    public override bool Captures => true;

    public override bool Match(RunState state, string value, string key, ComparatorDefinition comparator, Relation relation, List<string>? captures) =>
        Wildcard.Match(state, value, key, comparator, captures);
}

/// <summary>:value (RFC 5231): the comparator's ordering against each key.</summary>
internal sealed class ValueMatchType : MatchTypeDefinition
{
    public override string Name => "value";

    public override string? Capability => "relational";

    public override bool TakesRelation => true;

    public override bool Match(RunState state, string value, string key, ComparatorDefinition comparator, Relation relation, List<string>? captures) =>
        Relations.Holds(relation, comparator.Compare(value, key));
}

/// <summary>:count (RFC 5231): the number of values, as a decimal string, against each key.</summary>
internal sealed class CountMatchType : MatchTypeDefinition
{
    public override string Name => "count";

    public override string? Capability => "relational";

    public override bool TakesRelation => true;

    public override bool CountsValues => true;

    public override bool Match(RunState state, string value, string key, ComparatorDefinition comparator, Relation relation, List<string>? captures) =>
        Relations.Holds(relation, comparator.Compare(value, key));
}

/// <summary>A match type, comparator and relation together, applied to values and keys as RFC 5228 §2.7 says.</summary>
internal sealed class MatchSpec(MatchTypeDefinition type, ComparatorDefinition comparator, Relation relation, bool setMatchVariables)
{
    public MatchTypeDefinition Type { get; } = type;

    public ComparatorDefinition Comparator { get; } = comparator;

    public Relation Relation { get; } = relation;

    /// <summary>A list for the match values when this test sets them, else null.</summary>
    public List<string>? NewCaptures() => setMatchVariables && Type.Captures ? [] : null;

    /// <summary>True if any value matches any key (or, for :count, the count matches a key).</summary>
    public bool Run(RunState state, IEnumerable<string> values, IReadOnlyList<string> keys)
    {
        Type.Prepare(state, keys, Comparator);
        if (Type.CountsValues)
        {
            int count = 0;
            foreach (string _ in values)
            {
                count++;
                state.Tick();
            }
            return Any(state, ComparatorText.Invariant(count), keys, null);
        }

        List<string>? captures = setMatchVariables && Type.Captures ? [] : null;
        // A list (what header values are) is walked by index: no enumerator to allocate per test.
        if (values is IReadOnlyList<string> list)
        {
            for (int i = 0; i < list.Count; i++)
            {
                if (Any(state, list[i], keys, captures))
                {
                    return true;
                }
            }
            return false;
        }
        foreach (string value in values)
        {
            if (Any(state, value, keys, captures))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Matches one value against the keys; the testsuite and extensions use this directly.</summary>
    public bool Any(RunState state, string value, IReadOnlyList<string> keys, List<string>? captures)
    {
        for (int k = 0; k < keys.Count; k++)
        {
            string key = keys[k];
            state.Tick();
            captures?.Clear();
            if (Type.Match(state, value, key, Comparator, Relation, captures))
            {
                if (captures is not null)
                {
                    if (!Type.FillsWholeMatch)
                    {
                        captures.Insert(0, value);
                    }
                    state.SetMatchValues(captures);
                }
                return true;
            }
        }
        return false;
    }
}
