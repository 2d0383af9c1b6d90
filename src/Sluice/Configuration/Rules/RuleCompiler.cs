using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Sluice.Configuration.Layers;
using Sluice.Configuration.Toml;
using Sluice.Directories;

namespace Sluice.Configuration.Rules;

/// <summary>
/// Compiles rule arrays (SPEC §2.2) from the configuration tree into <see cref="Rule{T}"/>s at
/// start-up. Every problem is reported as a <see cref="ConfigError"/> naming the key path inside the
/// rule (<c>session.rcpt.relay[0].if</c>) and the line, and compilation goes on so that
/// <c>--check</c> lists them all.
/// </summary>
/// <remarks>
/// Comparisons ignore case: <c>eq</c>, <c>starts-with</c>, <c>ends-with</c> and <c>in-list</c> are
/// ordinal case-insensitive, and regexes are compiled with <see cref="RegexOptions.IgnoreCase"/>
/// (a pattern can turn it off with <c>(?-i)</c>). Mail addresses and domains are case-insensitive
/// in practice, so <c>eq = "Example.ORG"</c> matches a client that writes <c>example.org</c>;
/// variables keep the client's case, so <c>${1}</c> copies what the client sent.
/// </remarks>
internal sealed class RuleCompiler
{
    /// <summary>How deep <c>all-of</c>/<c>any-of</c>/<c>none-of</c> may nest (the outermost block is level 1).</summary>
    public const int MaxDepth = 32;

    /// <summary>How long one regex match may run before the condition counts as failed.</summary>
    public static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    private const string Comparators = "eq, ne, starts-with, not-starts-with, ends-with, not-ends-with, in-list, not-in-list, matches, not-matches";

    private readonly ConfigSection _section;
    private readonly DirectoryRegistry _directories;

    public RuleCompiler(ConfigSection section, DirectoryRegistry directories)
    {
        _section = section;
        _directories = directories;
    }

    /// <summary>True when <paramref name="node"/> is written as a rule (an array of tables) rather than a plain value.</summary>
    public static bool IsRule(ConfigNode node)
    {
        if (node.Kind != ConfigNodeKind.Array)
        {
            return false;
        }
        foreach (var item in node.Items!)
        {
            if (item.Kind == ConfigNodeKind.Table)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The conversion of a substituted <c>then</c> text to <typeparamref name="T"/>, for settings whose values are strings.</summary>
    public static Func<string, T>? TextConversion<T>() =>
        typeof(T).IsAssignableFrom(typeof(string)) ? static text => (T)(object)text : null;

    /// <summary>
    /// Compiles the rule array <paramref name="array"/> of setting <paramref name="key"/>. Each
    /// <c>then</c>/<c>else</c> value is read by <paramref name="read"/> (the setting's own typed
    /// reader) under its own key path. <paramref name="fromText"/> turns a <c>then</c> with
    /// <c>${n}</c> into a value after substitution; without it, group references are not expanded.
    /// </summary>
    public Rule<T> Compile<T>(string key, ConfigNode array, T fallback, Func<ConfigSection, string, ConfigNode, T, T> read, Func<string, T>? fromText)
    {
        var branches = new List<RuleBranch<T>>();
        var elseValue = fallback;
        var sawElse = false;
        var items = array.Items!;
        for (var i = 0; i < items.Count; i++)
        {
            var block = items[i];
            var path = Index(key, i);
            if (block.Kind != ConfigNodeKind.Table)
            {
                Error(block, path, $"expected a condition block (an inline table), found {block.TypeName}");
                continue;
            }

            if (block.Members!.TryGetValue("else", out var elseNode))
            {
                if (block.Members.Count > 1)
                {
                    Error(block, path, "an else block has nothing but else: { else = <value> }; found " + KeyList(block, exclude: "else"));
                }
                if (sawElse)
                {
                    Error(elseNode, path + ".else", "a rule has one else");
                }
                else if (i != items.Count - 1)
                {
                    Error(elseNode, path + ".else", $"else must be the last block of a rule; {items.Count - 1 - i} block(s) follow it");
                }
                elseValue = read(_section, path + ".else", elseNode, fallback);
                sawElse = true;
                continue;
            }

            block.Members.TryGetValue("then", out var thenNode);
            var template = fromText is not null && thenNode is { Kind: ConfigNodeKind.String }
                ? RuleTemplate.Parse((string)thenNode.Scalar!)
                : null;
            var scope = new BlockScope(template is not null);
            var condition = CompileBlock(block, path, 1, topLevel: true, scope);
            if (thenNode is null)
            {
                Error(block, path, "a condition block needs then = <value>, the value when it holds");
                continue;
            }
            var value = read(_section, path + ".then", thenNode, fallback);
            if (template is not null)
            {
                if (scope.MaxGroup < 0)
                {
                    Error(thenNode, path + ".then", $"${{{template.MaxGroup}}} refers to a group of a matches regex, but this block has no matches condition");
                    template = null;
                }
                else if (template.MaxGroup > scope.MaxGroup)
                {
                    Error(thenNode, path + ".then", $"${{{template.MaxGroup}}} refers to group {template.MaxGroup}, but the regex of this block has {scope.MaxGroup} group(s)");
                    template = null;
                }
            }
            if (condition is not null)
            {
                branches.Add(new RuleBranch<T>(condition, value, template, template is null ? null : fromText));
            }
        }

        if (!sawElse)
        {
            Error(array, key, "a rule must end with an { else = <value> } block");
        }
        return Rule<T>.Conditional([.. branches], elseValue);
    }

    /// <summary>Compiles a single condition block (no <c>then</c>), as a throttle's <c>match</c> is written.</summary>
    public RuleCondition? CompileCondition(string key, ConfigNode block)
    {
        if (block.Kind != ConfigNodeKind.Table)
        {
            Error(block, key, $"expected a condition block (an inline table such as {{ if = \"remote-ip\", eq = \"10.0.0.0/8\" }}), found {block.TypeName}");
            return null;
        }
        return CompileBlock(block, key, 1, topLevel: false, new BlockScope(capture: false));
    }

    /// <summary>What compiling one top-level block learns: whether its regexes capture, and their highest group.</summary>
    private sealed class BlockScope(bool capture)
    {
        public bool Capture { get; } = capture;

        public int MaxGroup { get; set; } = -1;
    }

    private RuleCondition? CompileBlock(ConfigNode block, string path, int depth, bool topLevel, BlockScope scope)
    {
        if (depth > MaxDepth)
        {
            Error(block, path, $"conditions are nested more than {MaxDepth} levels deep");
            return null;
        }

        ConfigNode? ifNode = null;
        var comparators = new List<(string Name, ConfigNode Node)>();
        var logic = new List<(string Name, ConfigNode Node)>();
        var valid = true;
        foreach (var (name, node) in block.Members!)
        {
            switch (name.ToLowerInvariant())
            {
                case "if":
                    ifNode = node;
                    break;
                case "eq" or "ne" or "starts-with" or "not-starts-with" or "ends-with" or "not-ends-with"
                    or "in-list" or "not-in-list" or "matches" or "not-matches":
                    comparators.Add((name.ToLowerInvariant(), node));
                    break;
                case "all-of" or "any-of" or "none-of":
                    logic.Add((name.ToLowerInvariant(), node));
                    break;
                case "then" when topLevel:
                    break;
                case "then" or "else":
                    Error(node, path + "." + name, $"{name} belongs to the outermost blocks of a rule, not to a condition");
                    valid = false;
                    break;
                default:
                    Error(node, path + "." + name, ifNode is not null || comparators.Count > 0
                        ? $"'{name}' is not a comparator ({Comparators})"
                        : $"unknown key '{name}' in a condition block (if with a comparator, all-of, any-of, none-of, then)");
                    valid = false;
                    break;
            }
        }

        if (ifNode is not null && logic.Count > 0)
        {
            Error(block, path, $"a condition block has either if with a comparator or one of all-of/any-of/none-of; found if and {logic[0].Name}");
            return null;
        }
        if (logic.Count > 1)
        {
            Error(block, path, $"a condition block has one of all-of/any-of/none-of; found {logic[0].Name} and {logic[1].Name}");
            return null;
        }
        if (logic.Count == 1)
        {
            if (comparators.Count > 0)
            {
                Error(comparators[0].Node, path + "." + comparators[0].Name, $"{comparators[0].Name} needs if = \"<variable>\" in its own block, not beside {logic[0].Name}");
                return null;
            }
            var inner = CompileLogic(logic[0].Name, logic[0].Node, path + "." + logic[0].Name, depth, scope);
            return valid ? inner : null;
        }
        if (!valid && (ifNode is null || comparators.Count == 0))
        {
            return null; // the unknown key was most likely meant as the missing piece: one error is enough
        }
        if (ifNode is null)
        {
            Error(block, path, comparators.Count > 0
                ? $"{comparators[0].Name} needs if = \"<variable>\""
                : "a condition block needs if = \"<variable>\" with a comparator, or all-of/any-of/none-of");
            return null;
        }
        if (comparators.Count == 0)
        {
            Error(block, path, $"if needs a comparator: {Comparators}");
            return null;
        }
        if (comparators.Count > 1)
        {
            Error(block, path, $"a condition block has one comparator; found {comparators[0].Name} and {comparators[1].Name}");
            return null;
        }
        var leaf = CompileComparison(ifNode, comparators[0].Name, comparators[0].Node, path, scope);
        return valid ? leaf : null;
    }

    private RuleCondition? CompileLogic(string name, ConfigNode node, string path, int depth, BlockScope scope)
    {
        if (node.Kind != ConfigNodeKind.Array)
        {
            Error(node, path, $"expected an array of condition blocks, found {node.TypeName}");
            return null;
        }
        if (node.Items!.Count == 0)
        {
            Error(node, path, $"{name} needs at least one condition block");
            return null;
        }
        // A none-of holds when nothing matched: its regexes have no groups to offer a then.
        var innerScope = name == "none-of" && scope.Capture ? new BlockScope(capture: false) : scope;
        var children = new RuleCondition[node.Items.Count];
        var failed = false;
        for (var i = 0; i < node.Items.Count; i++)
        {
            var item = node.Items[i];
            var itemPath = Index(path, i);
            if (item.Kind != ConfigNodeKind.Table)
            {
                Error(item, itemPath, $"expected a condition block (an inline table), found {item.TypeName}");
                failed = true;
                continue;
            }
            var child = CompileBlock(item, itemPath, depth + 1, topLevel: false, innerScope);
            if (child is null)
            {
                failed = true;
                continue;
            }
            children[i] = child;
        }
        if (failed)
        {
            return null;
        }
        return name switch
        {
            "all-of" => new AllOfCondition(children),
            "any-of" => new AnyOfCondition(children),
            _ => new NoneOfCondition(children),
        };
    }

    private RuleCondition? CompileComparison(ConfigNode ifNode, string comparator, ConfigNode valueNode, string path, BlockScope scope)
    {
        RuleVariable variable;
        if (ifNode.Kind != ConfigNodeKind.String)
        {
            Error(ifNode, path + ".if", $"expected a variable name (a string), found {ifNode.TypeName}");
            return null;
        }
        if (!RuleVariables.TryParse((string)ifNode.Scalar!, out variable))
        {
            Error(ifNode, path + ".if", $"'{ifNode.Scalar}' is not a variable ({string.Join(", ", RuleVariables.Names)})");
            return null;
        }

        var valuePath = path + "." + comparator;
        if (valueNode.Kind != ConfigNodeKind.String)
        {
            var hint = valueNode.Kind is ConfigNodeKind.Integer or ConfigNodeKind.Boolean
                ? string.Create(CultureInfo.InvariantCulture, $" (write {comparator} = \"{Convert.ToString(valueNode.Scalar, CultureInfo.InvariantCulture)!.ToLowerInvariant()}\")")
                : string.Empty;
            Error(valueNode, valuePath, $"expected a string, found {valueNode.TypeName}{hint}");
            return null;
        }
        var value = (string)valueNode.Scalar!;
        var negate = comparator[0] == 'n'; // ne, not-...

        switch (comparator)
        {
            case "eq" or "ne" when RuleVariables.IsAddress(variable) && value.Length > 0:
                if (!TryParseNetwork(value, out var network))
                {
                    Error(valueNode, valuePath, $"'{value}' is not an IP address or a CIDR network (e.g. \"192.168.0.0/24\", \"2001:db8::/48\")");
                    return null;
                }
                return new NetworkCondition(variable, network, negate);
            case "eq" or "ne":
                return new TextCondition(variable, TextComparison.Equals, value, negate);
            case "starts-with" or "not-starts-with":
                return new TextCondition(variable, TextComparison.StartsWith, value, negate);
            case "ends-with" or "not-ends-with":
                return new TextCondition(variable, TextComparison.EndsWith, value, negate);
            case "in-list" or "not-in-list":
                var list = ResolveList(value, valueNode, valuePath);
                return list is null ? null : new ListCondition(variable, list, negate);
            default:
                Regex regex;
                try
                {
                    regex = new Regex(value, RegexOptions.Compiled | RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, RegexTimeout);
                }
                catch (ArgumentException ex)
                {
                    Error(valueNode, valuePath, $"'{value}' is not a valid regular expression: {ex.Message}");
                    return null;
                }
                var capture = scope.Capture && !negate;
                if (capture)
                {
                    var groups = regex.GetGroupNumbers();
                    scope.MaxGroup = Math.Max(scope.MaxGroup, groups[^1]);
                }
                return new RegexCondition(variable, regex, negate, capture);
        }
    }

    private ILookupList? ResolveList(string value, ConfigNode node, string path)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == value.Length - 1)
        {
            Error(node, path, $"expected \"<directory>/<lookup>\" (e.g. \"local/blocked-ips\"), found '{value}'");
            return null;
        }
        var directoryId = value[..slash];
        var lookup = value[(slash + 1)..];
        if (!_directories.TryGet(directoryId, out var directory))
        {
            Error(node, path, $"no [directory.{directoryId}] is defined");
            return null;
        }
        if (!directory.TryGetLookup(lookup, out var list))
        {
            Error(node, path, directory.LookupNames.Count == 0
                ? $"directory '{directoryId}' has no lookup list '{lookup}' (it has none)"
                : $"directory '{directoryId}' has no lookup list '{lookup}' (it has {string.Join(", ", directory.LookupNames)})");
            return null;
        }
        return list;
    }

    /// <summary>An address (as a /32 or /128) or a CIDR network; bits after the prefix are ignored (<c>10.0.0.1/8</c> is <c>10.0.0.0/8</c>).</summary>
    public static bool TryParseNetwork(string text, out IPNetwork network)
    {
        if (text.Contains('/', StringComparison.Ordinal))
        {
            return IPNetwork.TryParse(text, out network);
        }
        if (IPAddress.TryParse(text, out var address))
        {
            if (address.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }
        network = default;
        return false;
    }

    private static string Index(string key, int index) => string.Create(CultureInfo.InvariantCulture, $"{key}[{index}]");

    private static string KeyList(ConfigNode block, string exclude)
    {
        var names = new List<string>();
        foreach (var name in block.Members!.Keys)
        {
            if (!string.Equals(name, exclude, StringComparison.OrdinalIgnoreCase))
            {
                names.Add(name);
            }
        }
        return string.Join(", ", names);
    }

    private void Error(ConfigNode node, string key, string message) => _section.Error(node, key, message);
}
