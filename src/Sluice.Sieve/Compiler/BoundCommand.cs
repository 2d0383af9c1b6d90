using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;

namespace Sluice.Sieve.Compiler;

/// <summary>A tag found on a command, with its parameter when it takes one.</summary>
internal sealed record BoundTag(TagDefinition Definition, AstTag Tag, AstArgument? Parameter);

/// <summary>A command node after its tags were resolved: what <see cref="CommandDefinition.Build"/> works on.</summary>
internal sealed class BoundCommand(AstNode node, CommandDefinition definition)
{
    public AstNode Node { get; } = node;
    public CommandDefinition Definition { get; } = definition;
    public Dictionary<string, BoundTag> Tags { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<AstArgument> Positional { get; } = [];
    public List<TestExpression?> Tests { get; } = [];

    public MatchTypeDefinition? MatchType { get; set; }
    public AstArgument? MatchTypeParameter { get; set; }
    public AstTag? MatchTypeTag { get; set; }
    public ComparatorDefinition? Comparator { get; set; }
    public AstTag? ComparatorTag { get; set; }
    public AddressPart? AddressPart { get; set; }

    public bool HasTag(string name) => Tags.ContainsKey(name);

    public string Describe => $"{Node.Name} {Node.KindName}";
}
