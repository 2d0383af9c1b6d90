namespace Sluice.Sieve.Compiler;

/// <summary>A command declared by its shape and a build function, so extensions stay short and declarative.</summary>
internal sealed class DelegateCommand(string name, CommandKind kind, Func<BuildContext, BoundCommand, object?> build) : CommandDefinition
{
    public override string Name => name;

    public override CommandKind Kind => kind;

    public IReadOnlyList<PositionalSpec> Args { get; init; } = [];

    public int? ArgCount { get; init; }

    public int Tests { get; init; }

    public bool Block { get; init; }

    public bool NeedsBlock { get; init; }

    public TagFamilies Uses { get; init; }

    public IReadOnlyList<TagDefinition> OwnTags { get; init; } = [];

    public override IReadOnlyList<PositionalSpec> Positional => Args;

    public override int PositionalCount => ArgCount ?? Args.Count;

    public override int SubTests => Tests;

    public override bool BlockAllowed => Block || NeedsBlock;

    public override bool BlockRequired => NeedsBlock;

    public override TagFamilies Families => Uses;

    public override IReadOnlyList<TagDefinition> Tags => OwnTags;

    public override object? Build(BuildContext context, BoundCommand command) => build(context, command);

    public static PositionalSpec Str(string name) => new(ArgumentType.String, name);

    public static PositionalSpec List(string name) => new(ArgumentType.StringList, name);

    public static PositionalSpec Num(string name) => new(ArgumentType.Number, name);
}
