using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;

namespace Sluice.Sieve.Extensions;

/// <summary>if / elsif / else (RFC 5228 §3.1), laid out as conditional jumps.</summary>
internal sealed class ControlCommands : SieveExtension
{
    public override string Name => "";

    public override void Register(ExtensionRegistry registry)
    {
        registry.AddCommand(new Conditional("if", hasTest: true));
        registry.AddCommand(new Conditional("elsif", hasTest: true));
        registry.AddCommand(new Conditional("else", hasTest: false));
    }

    private sealed class Conditional(string name, bool hasTest) : CommandDefinition
    {
        public override string Name => name;

        public override CommandKind Kind => CommandKind.Command;

        public override int SubTests => hasTest ? 1 : 0;

        public override bool BlockAllowed => true;

        public override bool BlockRequired => true;

        private bool IsIf => name == "if";

        public override object? Build(BuildContext context, BoundCommand command)
        {
            if (!IsIf)
            {
                string? previous = context.Previous?.Name;
                bool follows = string.Equals(previous, "if", StringComparison.OrdinalIgnoreCase) ||
                               string.Equals(previous, "elsif", StringComparison.OrdinalIgnoreCase);
                if (!follows)
                {
                    context.Error(command.Node, $"the {name} command must follow an if or elseif command");
                    return null;
                }
            }
            return hasTest ? command.Tests[0] : this;
        }

        public override void Emit(EmitContext emit, BoundCommand command, object compiled)
        {
            if (IsIf)
            {
                emit.Chain = [];
            }
            emit.Chain ??= [];
            if (compiled is TestExpression test)
            {
                var next = new Label();
                emit.Add(new JumpIfFalse(test, next));
                // A test known to be false at compile time: its block is neither checked nor emitted.
                if (test.Constant != false)
                {
                    emit.CompileBlock(command.Node.Block!);
                }
                var end = new Label();
                emit.Add(new Jump(end, command.Node.Line, command.Node.Column));
                emit.Chain.Add(end);
                emit.Mark(next);
            }
            else
            {
                emit.CompileBlock(command.Node.Block!);
            }
        }
    }
}
