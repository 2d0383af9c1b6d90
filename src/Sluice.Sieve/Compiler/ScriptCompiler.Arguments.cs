using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;

namespace Sluice.Sieve.Compiler;

/// <summary>
/// The shape checks of a command: its tags (own, added by extensions, and the comparator / match type /
/// address part families), positional arguments, sub-tests and block. Each reports one error and stops,
/// the way a reader fixing a script wants it.
/// </summary>
internal sealed partial class ScriptCompiler
{
    private IEnumerable<(string Name, TagDefinition Tag)> TagsOf(CommandDefinition def)
    {
        foreach (TagDefinition tag in def.Tags)
        {
            yield return (tag.Name, tag);
        }
        foreach ((string command, Registered<TagDefinition> tag) in Registry.ExtraTags)
        {
            if (string.Equals(command, def.Name, StringComparison.OrdinalIgnoreCase) && IsAvailable(tag.Extension))
            {
                yield return (tag.Item.Name, tag.Item);
            }
        }
        if (def.Families.HasFlag(TagFamilies.Comparator))
        {
            yield return ("comparator", ComparatorTag);
        }
        if (def.Families.HasFlag(TagFamilies.MatchType))
        {
            foreach (Registered<MatchTypeDefinition> mt in Registry.MatchTypes.Values)
            {
                if (IsAvailable(mt.Extension))
                {
                    yield return (mt.Item.Name, new TagDefinition(mt.Item.Name, mt.Item.TakesRelation ? TagParameter.String : TagParameter.None, "match type", "relation"));
                }
            }
        }
        if (def.Families.HasFlag(TagFamilies.AddressPart))
        {
            foreach (Registered<AddressPart> ap in Registry.AddressParts.Values)
            {
                if (IsAvailable(ap.Extension))
                {
                    yield return (ap.Item.Name, new TagDefinition(ap.Item.Name, TagParameter.None, "address part"));
                }
            }
        }
    }

    private static readonly TagDefinition ComparatorTag = new("comparator", TagParameter.String, "comparator", "comparator name");

    public bool TagExists(CommandDefinition def, string name) =>
        TagsOf(def).Any(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Resolves the leading tags and checks the positional arguments' count.</summary>
    private bool BindArguments(BoundCommand command)
    {
        AstNode node = command.Node;
        CommandDefinition def = command.Definition;
        var tags = TagsOf(def).ToList();
        var groupsUsed = new Dictionary<string, string>(StringComparer.Ordinal);
        int i = 0;
        while (i < node.Arguments.Count && node.Arguments[i] is AstTag tag)
        {
            (string Name, TagDefinition Tag) found = tags.FirstOrDefault(t => string.Equals(t.Name, tag.Name, StringComparison.OrdinalIgnoreCase));
            if (found.Tag is null)
            {
                if (_unknownTags.Add(def.Name + ":" + tag.Name))
                {
                    Error(tag.Line, tag.Column, $"unknown tagged argument ':{tag.Name}' for the {command.Describe} (reported only once at first occurence)");
                }
                return false;
            }
            TagDefinition tagDef = found.Tag;
            if (command.Tags.ContainsKey(tagDef.Name) || (tagDef.Group is { } g && groupsUsed.ContainsKey(g)))
            {
                string desc = tagDef.Group is { } grp && !command.Tags.ContainsKey(tagDef.Name)
                    ? $"{grp} argument (:{tag.Name})"
                    : $":{tagDef.Name} argument";
                Error(tag.Line, tag.Column, $"encountered duplicate {desc} for the {command.Describe}");
                return false;
            }
            i++;
            AstArgument? parameter = null;
            if (tagDef.Parameter != TagParameter.None)
            {
                parameter = i < node.Arguments.Count ? node.Arguments[i] : null;
                if (!CheckTagParameter(command, tag, tagDef, parameter))
                {
                    return false;
                }
                i++;
            }
            command.Tags[tagDef.Name] = new BoundTag(tagDef, tag, parameter);
            if (tagDef.Group is { } group)
            {
                groupsUsed[group] = tagDef.Name;
            }
            if (!BindFamilyTag(command, tag, tagDef, parameter))
            {
                return false;
            }
        }

        int count = 0;
        for (; i < node.Arguments.Count; i++)
        {
            if (node.Arguments[i] is AstTag stray)
            {
                if (!tags.Any(t => string.Equals(t.Name, stray.Name, StringComparison.OrdinalIgnoreCase)))
                {
                    if (_unknownTags.Add(def.Name + ":" + stray.Name))
                    {
                        Error(stray.Line, stray.Column, $"unknown tagged argument ':{stray.Name}' for the {command.Describe} (reported only once at first occurence)");
                    }
                    return false;
                }
                Error(stray.Line, stray.Column, $"encountered an unexpected tagged argument ':{stray.Name}' while validating positional arguments for the {command.Describe}");
                return false;
            }
            command.Positional.Add(node.Arguments[i]);
            count++;
        }
        if (def.PositionalCount >= 0 && count != def.PositionalCount)
        {
            Error(node.Line, node.Column, $"the {command.Describe} requires {def.PositionalCount} positional argument(s), but {count} is/are specified");
            return false;
        }
        return true;
    }

    private bool CheckTagParameter(BoundCommand command, AstTag tag, TagDefinition tagDef, AstArgument? parameter)
    {
        string wanted = tagDef.Parameter switch
        {
            TagParameter.String => "a string",
            TagParameter.StringList => "a string list",
            _ => "a number",
        };
        if (parameter is null)
        {
            Error(tag.Line, tag.Column, $"the :{tag.Name} tag for the {command.Describe} requires {wanted} as parameter, but no parameters were found");
            return false;
        }
        bool fits = tagDef.Parameter switch
        {
            TagParameter.String => parameter is AstStringList { IsSingleString: true },
            TagParameter.StringList => parameter is AstStringList,
            _ => parameter is AstNumber,
        };
        if (!fits)
        {
            Error(parameter.Line, parameter.Column, $"the :{tag.Name} tag for the {command.Describe} requires {wanted} as parameter, but {parameter.TypeName} was found");
            return false;
        }
        return true;
    }

    private bool BindFamilyTag(BoundCommand command, AstTag tag, TagDefinition tagDef, AstArgument? parameter)
    {
        switch (tagDef.Group)
        {
            case "comparator":
                var nameArg = (AstStringList)parameter!;
                AstString name = nameArg.Items[0];
                if (ContainsVariableReference(name.Value))
                {
                    Error(name.Line, name.Column, $"the comparator name for the {command.Describe} must be a constant string");
                    return false;
                }
                if (!Registry.Comparators.TryGetValue(name.Value, out Registered<ComparatorDefinition> cmp) ||
                    (cmp.Item.Capability is not null && !IsRequired(cmp.Item.Capability)))
                {
                    Error(name.Line, name.Column, $"unknown comparator '{name.Value}'");
                    return false;
                }
                command.Comparator = cmp.Item;
                command.ComparatorTag = tag;
                return true;
            case "match type":
                command.MatchType = Registry.MatchTypes[tagDef.Name].Item;
                command.MatchTypeTag = tag;
                command.MatchTypeParameter = parameter;
                if (command.MatchType.TakesRelation)
                {
                    AstString rel = ((AstStringList)parameter!).Items[0];
                    if (Relations.Parse(rel.Value) == Relation.None)
                    {
                        Error(rel.Line, rel.Column, $"invalid relational match type '{rel.Value}' for the :{tag.Name} match (must be one of gt, ge, lt, le, eq, ne)");
                        return false;
                    }
                }
                return true;
            case "address part":
                command.AddressPart = Registry.AddressParts[tagDef.Name].Item;
                return true;
            default:
                return true;
        }
    }

    /// <summary>Whether a string would be expanded by the variables extension (then it is not constant).</summary>
    public bool ContainsVariableReference(string value) =>
        IsRequired("variables") && value.Contains("${", StringComparison.Ordinal);

    private bool CheckSubTests(BoundCommand command)
    {
        AstNode node = command.Node;
        string desc = command.Describe;
        switch (command.Definition.SubTests)
        {
            case 0:
                if (node.Tests.Count == 0)
                {
                    return true;
                }
                AstNode first = node.Tests[0];
                CommandKind? kind = Registry.Commands.TryGetValue(first.Name, out Registered<CommandDefinition> reg) ? reg.Item.Kind : null;
                if (kind is CommandKind.Test or CommandKind.Hybrid)
                {
                    Error(node.Line, node.Column, $"the {desc} accepts no sub-tests, but tests are specified");
                }
                else if (kind is null && TagExists(command.Definition, first.Name))
                {
                    Error(node.Line, node.Column, $"missing colon ':' before ':{first.Name}' tag in {desc}");
                }
                else
                {
                    Error(node.Line, node.Column, $"missing semicolon ';' after {desc}");
                }
                return false;
            case 1:
                if (node.Tests.Count == 0)
                {
                    Error(node.Line, node.Column, $"the {desc} requires one sub-test, but none is specified");
                    return false;
                }
                if (node.Tests.Count > 1 || node.HasTestList)
                {
                    Error(node.Line, node.Column, $"the {desc} requires one sub-test, but a list of tests is specified");
                    return false;
                }
                return true;
            default:
                if (node.Tests.Count == 0)
                {
                    Error(node.Line, node.Column, $"the {desc} requires a list of sub-tests, but none is specified");
                    return false;
                }
                if (node.Tests.Count == 1 && !node.HasTestList)
                {
                    Error(node.Line, node.Column, $"the {desc} requires a list of sub-tests, but a single test is specified");
                    return false;
                }
                return true;
        }
    }

    private bool CheckBlock(BoundCommand command)
    {
        CommandDefinition def = command.Definition;
        AstNode node = command.Node;
        if (def.BlockRequired && node.Block is null)
        {
            Error(node.Line, node.Column, $"the {node.Name} command requires a command block, but it is missing");
            return false;
        }
        if (!def.BlockAllowed && node.Block is not null)
        {
            Error(node.Line, node.Column, $"the {node.Name} command does not accept a command block, but one is specified anyway");
            return false;
        }
        return true;
    }

    private bool CheckArgumentTypes(BoundCommand command)
    {
        IReadOnlyList<PositionalSpec> specs = command.Definition.Positional;
        for (int i = 0; i < command.Positional.Count && i < specs.Count; i++)
        {
            AstArgument arg = command.Positional[i];
            PositionalSpec spec = specs[i];
            bool fits = spec.Type switch
            {
                ArgumentType.String => arg is AstStringList { IsSingleString: true },
                ArgumentType.StringList => arg is AstStringList,
                _ => arg is AstNumber,
            };
            if (!fits)
            {
                string wanted = spec.Type switch
                {
                    ArgumentType.String => "a string",
                    ArgumentType.StringList => "a string list",
                    _ => "a number",
                };
                Error(arg.Line, arg.Column, $"the {command.Describe} expects {wanted} as argument {i + 1} ({spec.Name}), but {arg.TypeName} was found");
                return false;
            }
        }
        return true;
    }

    private bool CheckFamilies(BoundCommand command)
    {
        if (command.MatchType is { NeedsSubstring: true } mt && command.Comparator is { SupportsSubstring: false } cmp)
        {
            AstTag at = command.MatchTypeTag!;
            Error(at.Line, at.Column, $"the :{mt.Name} match type requires a comparator with substring matching, but the {cmp.Name} comparator has none");
            return false;
        }
        return true;
    }
}
