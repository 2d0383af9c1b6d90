using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;
using static Sluice.Sieve.Compiler.DelegateCommand;

namespace Sluice.Sieve.Extensions;

/// <summary>
/// extlists (RFC 6134): the :list match type (a value matches when the host's list holds it), the
/// valid_ext_list test and redirect :list. Names like ":addrbook:default" are short for
/// "urn:ietf:params:sieve:addrbook:default" (§2.1); the host sees the full name. The host answers
/// through ISieveHost (ListContains, IsValidList); a compile checks constant names with
/// SieveSettings.IsValidList when the host gives it.
/// </summary>
internal sealed class Extlists : SieveExtension
{
    private const string UrnPrefix = "urn:ietf:params:sieve";

    public override string Name => "extlists";

    public override void Register(ExtensionRegistry registry)
    {
        registry.AddMatchType(new ListMatchType());
        registry.AddCommand(new DelegateCommand("valid_ext_list", CommandKind.Test, BuildValid) { Args = [List("list names")] });
        registry.AddTag("redirect", new TagDefinition("list"));
    }

    /// <summary>The full name of a list: ":addrbook:default" becomes the URN.</summary>
    internal static string Normalize(string name) => name.StartsWith(':') ? UrnPrefix + name : name;

    private static bool CheckNames(BuildContext context, IEnumerable<AstString> names)
    {
        Func<string, bool>? valid = context.Compiler.Options.Settings.IsValidList;
        bool ok = true;
        foreach (AstString name in names)
        {
            if (context.Compiler.ContainsVariableReference(name.Value))
            {
                continue;
            }
            if (valid is null ? !IsSupportedName(Normalize(name.Value)) : !valid(Normalize(name.Value)))
            {
                context.Error(name, $"unknown external list '{name.Value}'");
                ok = false;
            }
        }
        return ok;
    }

    /// <summary>Without the host's list of lists, a compile accepts the names RFC 6134 §2.1 registers:
    /// "urn:ietf:params:sieve:addrbook:" and a plain name (no query).</summary>
    private static bool IsSupportedName(string urn)
    {
        const string addrbook = UrnPrefix + ":addrbook:";
        if (!urn.StartsWith(addrbook, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        string rest = urn[addrbook.Length..];
        return rest.Length > 0 && rest.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
    }

    private static object? BuildValid(BuildContext context, BoundCommand command)
    {
        StringListValue? names = context.StringList(command.Positional[0]);
        if (names is null)
        {
            return null;
        }
        return new DelegateTest(s => names.Evaluate(s).All(n => s.Host.IsValidList(Normalize(n))), command.Node.Line, command.Node.Column);
    }

    internal static object? BuildRedirectList(BuildContext context, BoundCommand command, StringValue list, AstString literal)
    {
        if (!CheckNames(context, [literal]))
        {
            return null;
        }
        bool copy = command.HasTag("copy");
        return new ActionInstruction(s =>
        {
            string name = Normalize(list.Evaluate(s));
            if (!s.Host.IsValidList(name))
            {
                throw new SieveRuntimeException($"redirect :list: unknown external list '{name}'");
            }
            s.Result.Redirect(new RedirectAction(name, copy) { IsList = true }, s.Limits);
        }, command.Node.Line, command.Node.Column);
    }

    private sealed class ListMatchType : MatchTypeDefinition
    {
        public override string Name => "list";

        public override string? Capability => "extlists";

        public override bool Captures => true;

        public override void Validate(BuildContext context, BoundCommand command)
        {
            if (command.Positional.Count > 0 && command.Positional[^1] is AstStringList keys)
            {
                CheckNames(context, keys.Items);
            }
        }

        public override bool Match(RunState state, string value, string key, ComparatorDefinition comparator, Relation relation, List<string>? captures)
        {
            state.Tick();
            bool? contains = state.Host.ListContains(Normalize(key), value);
            if (contains is null)
            {
                throw new SieveRuntimeException($"unknown external list '{key}'");
            }
            return contains.Value;
        }
    }
}
