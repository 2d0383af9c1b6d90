using Sluice.Sieve.Runtime;

namespace Sluice.Sieve.Compiler;

internal enum CommandKind
{
    Command,
    Test,

    /// <summary>Usable as either (the testsuite's test_message); Build looks at the node to tell.</summary>
    Hybrid,
}

internal enum ArgumentType
{
    String,
    StringList,
    Number,
}

/// <summary>A positional argument a command expects: its type and the name error messages give it.</summary>
internal readonly record struct PositionalSpec(ArgumentType Type, string Name);

/// <summary>
/// One command or test of the language. The validator checks the shape it declares (positional
/// arguments, sub-tests, block, tags); <see cref="Build(BuildContext, BoundCommand)"/> then checks the
/// argument types and meaning and returns the compiled form.
/// </summary>
internal abstract class CommandDefinition
{
    public abstract string Name { get; }

    public abstract CommandKind Kind { get; }

    /// <summary>What is allowed where, in order; -1 count in <see cref="PositionalCount"/> means any.</summary>
    public virtual IReadOnlyList<PositionalSpec> Positional => [];

    public virtual int PositionalCount => Positional.Count;

    /// <summary>0: no sub-tests, 1: exactly one, 2: a test list.</summary>
    public virtual int SubTests => 0;

    public virtual bool BlockAllowed => false;

    public virtual bool BlockRequired => false;

    /// <summary>Tag families the command takes (comparator, match type, address part).</summary>
    public virtual TagFamilies Families => TagFamilies.None;

    /// <summary>The command's own tags (extensions add more through the registry).</summary>
    public virtual IReadOnlyList<TagDefinition> Tags => [];

    public string KindName => Kind == CommandKind.Test ? "test" : "command";

    /// <summary>Checks types and meaning; returns an <see cref="Instruction"/> for a command or a
    /// <see cref="TestExpression"/> for a test, or null after reporting an error.</summary>
    public abstract object? Build(BuildContext context, BoundCommand command);

    /// <summary>Emits the command. Block commands (if, the testsuite's test) override this.</summary>
    public virtual void Emit(EmitContext emit, BoundCommand command, object compiled)
    {
        emit.Add((Instruction)compiled);
        if (command.Node.Block is { } block)
        {
            emit.CompileBlock(block);
        }
    }
}

[Flags]
internal enum TagFamilies
{
    None = 0,
    Comparator = 1,
    MatchType = 2,
    AddressPart = 4,
}

internal enum TagParameter
{
    None,
    String,
    StringList,
    Number,
}

/// <summary>
/// A tagged argument. Tags sharing a <see cref="Group"/> exclude each other (":over" and ":under");
/// the same tag twice is a duplicate.
/// </summary>
internal sealed record TagDefinition(string Name, TagParameter Parameter = TagParameter.None, string? Group = null, string? ParameterName = null);
