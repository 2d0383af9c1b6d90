using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;

namespace Sluice.Sieve.Compiler;

/// <summary>
/// A capability scripts can require (RFC 5228 §3.2), or the core language (empty name). An extension
/// registers its own commands, tags, comparators, match types and address parts; nothing else in the
/// compiler needs to know it exists.
/// </summary>
internal abstract class SieveExtension
{
    /// <summary>The require string; empty for the always-present core.</summary>
    public abstract string Name { get; }

    /// <summary>False for capabilities that cannot be required on their own (none in part 1).</summary>
    public virtual bool IsRequirable => Name.Length > 0;

    /// <summary>Capabilities that must be required too when this one is (extracttext needs foreverypart).</summary>
    public virtual IReadOnlyList<string> Needs => [];

    public abstract void Register(ExtensionRegistry registry);
}

internal readonly record struct Registered<T>(T Item, SieveExtension Extension);

/// <summary>Everything the extensions of one set registered.</summary>
internal sealed class ExtensionRegistry
{
    private SieveExtension _current = null!;

    public Dictionary<string, SieveExtension> Capabilities { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, Registered<CommandDefinition>> Commands { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<(string Command, Registered<TagDefinition> Tag)> ExtraTags { get; } = [];
    public Dictionary<string, Registered<ComparatorDefinition>> Comparators { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, Registered<MatchTypeDefinition>> MatchTypes { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, Registered<AddressPart>> AddressParts { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Capabilities that exist (can be required) but add nothing of their own.</summary>
    public void AddCapabilityAlias(string name, SieveExtension extension) => Capabilities[name] = extension;

    public void Load(SieveExtension extension)
    {
        _current = extension;
        if (extension.Name.Length > 0)
        {
            Capabilities[extension.Name] = extension;
        }
        extension.Register(this);
    }

    public void AddCommand(CommandDefinition command) => Commands[command.Name] = new(command, _current);

    /// <summary>Adds a tag to a command another extension (or the core) defines, e.g. :copy on redirect.</summary>
    public void AddTag(string command, TagDefinition tag) => ExtraTags.Add((command, new(tag, _current)));

    public void AddComparator(ComparatorDefinition comparator) => Comparators[comparator.Name] = new(comparator, _current);

    public void AddMatchType(MatchTypeDefinition matchType) => MatchTypes[matchType.Name] = new(matchType, _current);

    public void AddAddressPart(AddressPart part) => AddressParts[part.Name] = new(part, _current);

    /// <summary>A compile-time rewrite of string literals (encoded-character); one at most.</summary>
    public Registered<Func<BuildContext, AstString, string?>>? TextTransform { get; private set; }

    /// <summary>Turns literal text into a runtime value (variables makes templates); one at most.</summary>
    public Registered<Func<BuildContext, AstString, string, StringValue?>>? TemplateBuilder { get; private set; }

    public void SetTextTransform(Func<BuildContext, AstString, string?> transform) => TextTransform = new(transform, _current);

    public void SetTemplateBuilder(Func<BuildContext, AstString, string, StringValue?> builder) => TemplateBuilder = new(builder, _current);
}
