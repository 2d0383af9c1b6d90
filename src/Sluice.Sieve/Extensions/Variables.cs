using System.Globalization;
using System.Text;
using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;
using static Sluice.Sieve.Compiler.DelegateCommand;

namespace Sluice.Sieve.Extensions;

/// <summary>
/// variables (RFC 5229): "set" with its modifiers, the "string" test, and ${name} / ${n} substitution
/// in every string of the script. Variables get numbers at compile time; a run keeps them in an array.
/// </summary>
internal sealed class Variables : SieveExtension
{
    public const int MaxNameLength = 64;
    public const int MaxNamespaceElements = 4;
    public const int MaxMatchIndex = 32;

    private static readonly object ScopeKey = new();

    public override string Name => "variables";

    public override void Register(ExtensionRegistry registry)
    {
        registry.SetTemplateBuilder(BuildTemplate);
        registry.AddCommand(new DelegateCommand("set", CommandKind.Command, BuildSet)
        {
            Args = [Str("name"), Str("value")],
            OwnTags = ModifierTags,
        });
        registry.AddCommand(new DelegateCommand("string", CommandKind.Test, BuildString)
        {
            Args = [List("source"), List("key list")],
            Uses = TagFamilies.Comparator | TagFamilies.MatchType,
        });
    }

    /// <summary>Modifiers of equal precedence exclude each other (RFC 5229 §4.1, RFC 5435 §6 :encodeurl).</summary>
    internal static readonly TagDefinition[] ModifierTags =
            [
                new TagDefinition("lower", Group: "precedence 40 modifier"),
                new TagDefinition("upper", Group: "precedence 40 modifier"),
                new TagDefinition("lowerfirst", Group: "precedence 30 modifier"),
                new TagDefinition("upperfirst", Group: "precedence 30 modifier"),
                new TagDefinition("quotewildcard", Group: "precedence 20 modifier"),
                new TagDefinition("quoteregex", Group: "precedence 20 modifier"),
                new TagDefinition("encodeurl", Group: "precedence 15 modifier"),
                new TagDefinition("length", Group: "precedence 10 modifier"),
            ];

    /// <summary>The script's variables by name (names are case-insensitive, RFC 5229 §3).</summary>
    private sealed class Scope
    {
        public Dictionary<string, int> Indexes { get; } = new(StringComparer.OrdinalIgnoreCase);

        /// <summary>Names the global command declared (RFC 6609 §3.4): they live in the run's global table.</summary>
        public HashSet<string> Globals { get; } = new(StringComparer.OrdinalIgnoreCase);

        public bool LimitReported { get; set; }
    }

    private static int Declare(BuildContext context, AstString at, string name)
    {
        Scope scope = context.State(ScopeKey, () => new Scope());
        if (scope.Indexes.TryGetValue(name, out int index))
        {
            return index;
        }
        if (scope.Indexes.Count >= context.Compiler.Options.MaxVariables)
        {
            if (!scope.LimitReported)
            {
                context.Error(at, $"declaration of variable '{name}' exceeds the limit of {context.Compiler.Options.MaxVariables} variables per script");
                scope.LimitReported = true;
            }
            return -1;
        }
        index = scope.Indexes.Count;
        scope.Indexes[name] = index;
        context.Compiler.VariableCount = scope.Indexes.Count;
        return index;
    }

    /// <summary>Declares a global variable (include's global command); false after an error.</summary>
    internal static bool DeclareGlobal(BuildContext context, AstString name)
    {
        if (Classify(name.Value) != NameKind.Plain || name.Value.Length > MaxNameLength)
        {
            context.Error(name, $"invalid variable name '{name.Value}' for the global command");
            return false;
        }
        Scope scope = context.State(ScopeKey, () => new Scope());
        if (scope.Indexes.ContainsKey(name.Value))
        {
            context.Error(name, $"variable '{name.Value}' is already used as a local variable and cannot be declared global after that");
            return false;
        }
        scope.Globals.Add(name.Value);
        return true;
    }

    private static bool IsGlobal(BuildContext context, string name) =>
        context.State(ScopeKey, () => new Scope()).Globals.Contains(name);

    /// <summary>The index of a plain variable a command names (imap4flags' variable arguments); -1 after an error.</summary>
    internal static int VariableIndex(BuildContext context, AstString name)
    {
        if (Classify(name.Value) != NameKind.Plain || name.Value.Length > MaxNameLength)
        {
            context.Error(name, $"invalid variable name '{name.Value}'");
            return -1;
        }
        return Declare(context, name, name.Value);
    }

    private static bool IsIdentifier(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty || !(char.IsAsciiLetter(s[0]) || s[0] == '_'))
        {
            return false;
        }
        foreach (char c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }
        return true;
    }

    private enum NameKind
    {
        Invalid,
        Plain,
        Namespaced,
        MatchIndex,
    }

    private static NameKind Classify(string name)
    {
        if (name.Length > 0 && name.All(char.IsAsciiDigit))
        {
            return NameKind.MatchIndex;
        }
        string[] elements = name.Split('.');
        if (elements.Any(e => !IsIdentifier(e)))
        {
            return NameKind.Invalid;
        }
        return elements.Length == 1 ? NameKind.Plain : NameKind.Namespaced;
    }

    /// <summary>Resolves a reference; null after reporting an error; a part otherwise.</summary>
    private static TemplatePart? Reference(BuildContext context, AstString at, string name, out bool error)
    {
        error = false;
        switch (Classify(name))
        {
            case NameKind.MatchIndex:
                string digits = name.TrimStart('0');
                int n = digits.Length > 4 ? int.MaxValue : digits.Length == 0 ? 0 : int.Parse(digits, CultureInfo.InvariantCulture);
                if (n > MaxMatchIndex)
                {
                    context.Error(at, $"match value index {name} exceeds the maximum of {MaxMatchIndex}");
                    error = true;
                    return null;
                }
                return new MatchValuePart(n);
            case NameKind.Plain:
                if (name.Length > MaxNameLength)
                {
                    context.Error(at, $"variable name '{name[..MaxNameLength]}...' exceeds the maximum length of {MaxNameLength}");
                    error = true;
                    return null;
                }
                if (IsGlobal(context, name))
                {
                    return new NamespacePart("global." + name.ToLowerInvariant());
                }
                int index = Declare(context, at, name);
                error = index < 0;
                return index < 0 ? null : new VariablePart(index);
            case NameKind.Namespaced:
                if (!CheckNamespace(context, at, name))
                {
                    error = true;
                    return null;
                }
                return new NamespacePart(name.ToLowerInvariant());
            default:
                return null;
        }
    }

    private static bool CheckNamespace(BuildContext context, AstString at, string name)
    {
        string[] elements = name.Split('.');
        if (elements.Length > MaxNamespaceElements)
        {
            context.Error(at, $"variable name '{name}' has more than {MaxNamespaceElements} namespace elements");
            return false;
        }
        bool globalNamespace = string.Equals(elements[0], "global", StringComparison.OrdinalIgnoreCase) && context.IsRequired("include");
        if (globalNamespace && elements.Length != 2)
        {
            context.Error(at, $"variable name '{name}' in the global namespace must have exactly one element after 'global.'");
            return false;
        }
        if (!globalNamespace && !context.Compiler.Options.VariableNamespaces.Contains(elements[0]))
        {
            context.Error(at, $"variable '{name}' refers to unknown namespace '{elements[0]}'");
            return false;
        }
        return true;
    }

    private static StringValue? BuildTemplate(BuildContext context, AstString literal, string text)
    {
        var parts = new List<TemplatePart>();
        var pending = new StringBuilder();
        bool ok = true;
        // Encoded characters were already decoded; references may use what they produced (RFC 5229 §3).
        int i = 0;
        while (i < text.Length)
        {
            int start = text.IndexOf("${", i, StringComparison.Ordinal);
            if (start < 0)
            {
                pending.Append(text, i, text.Length - i);
                break;
            }
            pending.Append(text, i, start - i);
            int close = text.IndexOf('}', start + 2);
            TemplatePart? part = null;
            if (close >= 0)
            {
                string name = text[(start + 2)..close];
                part = Reference(context, literal, name, out bool error);
                ok &= !error;
            }
            if (part is null)
            {
                // Not a reference (RFC 5229 §3: left as written); scanning resumes after the "$".
                pending.Append('$');
                i = start + 1;
                continue;
            }
            if (pending.Length > 0)
            {
                parts.Add(new LiteralPart(pending.ToString()));
                pending.Clear();
            }
            parts.Add(part);
            i = close + 1;
        }
        if (!ok)
        {
            return null;
        }
        if (parts.Count == 0)
        {
            return StringValue.Constant(pending.ToString());
        }
        if (pending.Length > 0)
        {
            parts.Add(new LiteralPart(pending.ToString()));
        }
        return new TemplateString(parts);
    }

    private static object? BuildSet(BuildContext context, BoundCommand command)
    {
        AstString nameLiteral = ((AstStringList)command.Positional[0]).Items[0];
        string name = nameLiteral.Value;
        int index;
        string? global = null;
        switch (Classify(name))
        {
            case NameKind.Plain when name.Length <= MaxNameLength && IsGlobal(context, name):
                index = -1;
                global = name.ToLowerInvariant();
                break;
            case NameKind.Namespaced when name.StartsWith("global.", StringComparison.OrdinalIgnoreCase) && context.IsRequired("include"):
                if (!CheckNamespace(context, nameLiteral, name))
                {
                    return null;
                }
                index = -1;
                global = name[7..].ToLowerInvariant();
                break;
            case NameKind.Plain when name.Length <= MaxNameLength:
                index = Declare(context, nameLiteral, name);
                if (index < 0)
                {
                    return null;
                }
                break;
            case NameKind.Plain:
                context.Error(nameLiteral, $"variable name '{name[..MaxNameLength]}...' exceeds the maximum length of {MaxNameLength}");
                return null;
            case NameKind.MatchIndex:
                context.Error(nameLiteral, $"cannot assign to match variable ${{{name}}}");
                return null;
            case NameKind.Namespaced:
                if (CheckNamespace(context, nameLiteral, name))
                {
                    context.Error(nameLiteral, $"cannot assign to variable '{name}' in a read-only namespace");
                }
                return null;
            default:
                context.Error(nameLiteral, $"invalid variable name '{name}'");
                return null;
        }

        StringValue? value = context.String(command.Positional[1]);
        if (value is null)
        {
            return null;
        }
        Func<RunState, string, string>[] modifiers = Modifiers(command);
        return new ActionInstruction(s =>
        {
            string v = value.Evaluate(s);
            foreach (Func<RunState, string, string> modify in modifiers)
            {
                s.Tick();
                v = modify(s, v);
            }
            if (global is not null)
            {
                s.Globals[global] = s.LimitSize(v);
            }
            else
            {
                s.SetVariable(index, v);
            }
        }, command.Node.Line, command.Node.Column);
    }

    /// <summary>The modifiers in the order RFC 5229 §4.1 applies them: highest precedence first.</summary>
    internal static Func<RunState, string, string>[] Modifiers(BoundCommand command)
    {
        var list = new List<Func<RunState, string, string>>();
        if (command.HasTag("lower"))
        {
            list.Add((_, v) => v.ToLowerInvariant());
        }
        if (command.HasTag("upper"))
        {
            list.Add((_, v) => v.ToUpperInvariant());
        }
        if (command.HasTag("lowerfirst"))
        {
            list.Add((_, v) => v.Length == 0 ? v : char.ToLowerInvariant(v[0]) + v[1..]);
        }
        if (command.HasTag("upperfirst"))
        {
            list.Add((_, v) => v.Length == 0 ? v : char.ToUpperInvariant(v[0]) + v[1..]);
        }
        if (command.HasTag("quotewildcard"))
        {
            list.Add((s, v) => Quote(s, v, "*?\\"));
        }
        if (command.HasTag("quoteregex"))
        {
            list.Add((s, v) => Quote(s, v, "\\.^$*+?()[]{}|"));
        }
        if (command.HasTag("encodeurl"))
        {
            list.Add((_, v) => EncodeUrl(v));
        }
        if (command.HasTag("length"))
        {
            // Characters, not octets: RFC 5229 counts characters.
            list.Add((_, v) => new StringInfo(v).LengthInTextElements == v.Length
                ? v.Length.ToString(CultureInfo.InvariantCulture)
                : v.EnumerateRunes().Count().ToString(CultureInfo.InvariantCulture));
        }
        return [.. list];
    }

    /// <summary>Escapes specials; stops before an escape pair would pass the variable size limit, so
    /// a cut never leaves a dangling backslash.</summary>
    private static string Quote(RunState state, string value, string specials)
    {
        int max = state.Limits.MaxVariableSize;
        var sb = new StringBuilder(value.Length);
        int bytes = 0;
        foreach (Rune rune in value.EnumerateRunes())
        {
            bool special = rune.IsAscii && specials.Contains((char)rune.Value, StringComparison.Ordinal);
            int size = rune.Utf8SequenceLength + (special ? 1 : 0);
            if (bytes + size > max)
            {
                break;
            }
            bytes += size;
            if (special)
            {
                sb.Append('\\');
            }
            sb.Append(rune.ToString());
        }
        return sb.ToString();
    }

    /// <summary>Percent-encodes all but RFC 3986 unreserved characters (RFC 5435 §6).</summary>
    private static string EncodeUrl(string value)
    {
        var sb = new StringBuilder();
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            char c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return sb.ToString();
    }

    private static object? BuildString(BuildContext context, BoundCommand command)
    {
        StringListValue? source = context.StringList(command.Positional[0]);
        StringListValue? keys = context.StringList(command.Positional[1]);
        if (source is null || keys is null)
        {
            return null;
        }
        MatchSpec match = context.MatchSpec(command);
        // RFC 5229 §5: with :count, empty strings in the source are not counted.
        bool skipEmpty = match.Type.CountsValues;
        return new DelegateTest(s =>
        {
            IEnumerable<string> values = source.Evaluate(s);
            if (skipEmpty)
            {
                values = values.Where(v => v.Length > 0);
            }
            return match.Run(s, values, keys.Evaluate(s));
        }, command.Node.Line, command.Node.Column);
    }
}
