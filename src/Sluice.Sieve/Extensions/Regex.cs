using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;

namespace Sluice.Sieve.Extensions;

/// <summary>
/// regex (draft-murchison-sieve-regex): the :regex match type, POSIX extended expressions. Constant
/// keys are checked at compile time; computed ones at run time. ${0} is the matched text, ${1}.. the groups.
/// </summary>
internal sealed class RegexExtension : SieveExtension
{
    public override string Name => "regex";

    public override void Register(ExtensionRegistry registry) => registry.AddMatchType(new RegexMatchType());

    private sealed class RegexMatchType : MatchTypeDefinition
    {
        public override string Name => "regex";

        public override string? Capability => "regex";

        public override bool Captures => true;

        public override bool FillsWholeMatch => true;

        public override void Validate(BuildContext context, BoundCommand command)
        {
            ComparatorDefinition? comparator = command.Comparator;
            if (comparator is not null && comparator is not (OctetComparator or AsciiCasemapComparator or UnicodeCasemapComparator))
            {
                AstTag at = command.ComparatorTag!;
                context.Error(at.Line, at.Column, $"the :regex match type cannot be used with the {comparator.Name} comparator");
                return;
            }
            if (command.Positional.Count == 0 || command.Positional[^1] is not AstStringList keys)
            {
                return;
            }
            foreach (AstString key in keys.Items)
            {
                if (context.Compiler.ContainsVariableReference(key.Value))
                {
                    continue;
                }
                if (PosixRegex.Translate(key.Value, out string? error) is null)
                {
                    context.Error(key, $"invalid regular expression '{key.Value}' for regex match: {error}");
                }
            }
        }

        public override void Prepare(RunState state, IReadOnlyList<string> keys, ComparatorDefinition comparator)
        {
            foreach (string key in keys)
            {
                if (PosixRegex.TryGet(key, comparator is not OctetComparator, state.Settings.RegexTimeout, out string? error) is null)
                {
                    // An expression computed at run time that is invalid matches nothing (as Pigeonhole does) and is reported.
                    state.Warn($"invalid regular expression '{key}' for regex match: {error}");
                }
            }
        }

        public override bool Match(RunState state, string value, string key, ComparatorDefinition comparator, Relation relation, List<string>? captures)
        {
            state.Tick(1 + value.Length / 1024);
            System.Text.RegularExpressions.Regex? regex = PosixRegex.TryGet(key, comparator is not OctetComparator, state.Settings.RegexTimeout, out string? error);
            if (regex is null)
            {
                // Reported by Prepare; an invalid expression matches nothing.
                return false;
            }
            System.Text.RegularExpressions.Match m = regex.Match(value);
            if (!m.Success)
            {
                return false;
            }
            if (captures is not null)
            {
                int count = Math.Min(m.Groups.Count, Variables.MaxMatchIndex + 1);
                for (int i = 0; i < count; i++)
                {
                    captures.Add(m.Groups[i].Success ? m.Groups[i].Value : "");
                }
            }
            return true;
        }
    }
}
