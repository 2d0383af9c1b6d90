using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;

namespace Sluice.Sieve.Compiler;

/// <summary>
/// Accumulates the instruction list. Blocks are laid out inline with jumps around them, so running a
/// script never recurses on its nesting.
/// </summary>
internal sealed class EmitContext(ScriptCompiler compiler)
{
    private readonly List<Instruction> _program = [];

    public ScriptCompiler Compiler { get; } = compiler;

    /// <summary>The index the next instruction will get.</summary>
    public int Position => _program.Count;

    /// <summary>Jumps out of the current if/elsif/else chain, fixed when the chain ends.</summary>
    public List<Label>? Chain { get; set; }

    /// <summary>Block commands that enclose the code being emitted (the testsuite's test finds its end here).</summary>
    public Stack<object> Enclosing { get; } = new();

    public void Add(Instruction instruction) => _program.Add(instruction);

    public void Mark(Label label) => label.Target = _program.Count;

    public Instruction[] Finish() => [.. _program];

    public void CompileBlock(List<AstNode> block, bool topLevel = false)
    {
        List<Label>? outerChain = Chain;
        Chain = null;
        AstNode? previous = null;
        bool onlyRequires = true;
        foreach (AstNode node in block)
        {
            if (!string.Equals(node.Name, "elsif", StringComparison.OrdinalIgnoreCase) &&
                !string.Equals(node.Name, "else", StringComparison.OrdinalIgnoreCase))
            {
                CloseChain();
            }
            var context = new BuildContext(Compiler, node, previous, topLevel, topLevel && onlyRequires);
            object? compiled = Compiler.CompileNode(node, context, out BoundCommand? bound);
            if (compiled is not null)
            {
                bound!.Definition.Emit(this, bound, compiled);
            }
            else if (bound is { Definition.BlockAllowed: true } && node.Block is not null)
            {
                // The command is broken, but its block is still checked so its errors are reported too.
                CompileBlock(node.Block);
            }
            if (!string.Equals(node.Name, "require", StringComparison.OrdinalIgnoreCase))
            {
                onlyRequires = false;
            }
            previous = node;
        }
        CloseChain();
        Chain = outerChain;
    }

    private void CloseChain()
    {
        if (Chain is null)
        {
            return;
        }
        foreach (Label label in Chain)
        {
            Mark(label);
        }
        Chain = null;
    }
}
