namespace Sluice.Sieve.Syntax;

/// <summary>A command or a test as written: identifier, arguments, sub-tests and (commands only) a block.</summary>
internal sealed class AstNode(string name, bool isTest, int line, int column)
{
    public string Name { get; } = name;
    public bool IsTest { get; } = isTest;
    public int Line { get; } = line;
    public int Column { get; } = column;
    public List<AstArgument> Arguments { get; } = [];
    public List<AstNode> Tests { get; } = [];

    /// <summary>True when the tests were written as a parenthesised list, even of one.</summary>
    public bool HasTestList { get; set; }

    /// <summary>The block's commands, or null when the command ended with ';'.</summary>
    public List<AstNode>? Block { get; set; }

    public string KindName => IsTest ? "test" : "command";
}

internal abstract class AstArgument(int line, int column)
{
    public int Line { get; } = line;
    public int Column { get; } = column;

    /// <summary>How an error message names this argument's type.</summary>
    public abstract string TypeName { get; }
}

internal sealed record AstString(string Value, int Line, int Column);

internal sealed class AstStringList(int line, int column, bool bracketed) : AstArgument(line, column)
{
    public List<AstString> Items { get; } = [];

    /// <summary>Written with brackets: a one-item list in brackets is still a list, not a string.</summary>
    public bool Bracketed { get; } = bracketed;

    public bool IsSingleString => !Bracketed && Items.Count == 1;

    public override string TypeName => IsSingleString ? "a string" : "a string list";
}

internal sealed class AstNumber(ulong value, int line, int column) : AstArgument(line, column)
{
    public ulong Value { get; } = value;

    public override string TypeName => "a number";
}

internal sealed class AstTag(string name, int line, int column) : AstArgument(line, column)
{
    public string Name { get; } = name;

    public override string TypeName => $"a tag (':{Name}')";
}
