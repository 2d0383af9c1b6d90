using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;

namespace Sluice.Sieve.Tests.Pigeonhole;

/// <summary>
/// test "name" { ... }: opens a case on a fresh result, runs the block, closes the case.
/// test_fail jumps to the closing instruction, whose position <see cref="Scope.End"/> marks.
/// </summary>
internal sealed class TestBlock(SuiteSession session) : CommandDefinition
{
    public sealed class Scope
    {
        public Label End { get; } = new();
    }

    public override string Name => "test";

    public override CommandKind Kind => CommandKind.Command;

    public override IReadOnlyList<PositionalSpec> Positional => [DelegateCommand.Str("name")];

    public override bool BlockAllowed => true;

    public override bool BlockRequired => true;

    public override object? Build(BuildContext context, BoundCommand command) =>
        ((AstStringList)command.Positional[0]).Items[0].Value;

    public override void Emit(EmitContext emit, BoundCommand command, object compiled)
    {
        string name = (string)compiled;
        var scope = new Scope();
        emit.Add(new Begin(session, name, command.Node.Line, command.Node.Column));
        emit.Enclosing.Push(scope);
        emit.CompileBlock(command.Node.Block!);
        emit.Enclosing.Pop();
        emit.Mark(scope.End);
        emit.Add(new End(session, command.Node.Line, command.Node.Column));
    }

    /// <summary>Where the harness resumes after a runtime error inside this case.</summary>
    internal static int? EndOf(SieveScript script, int failedAt)
    {
        Instruction[] program = script.Program;
        for (int i = failedAt; i < program.Length; i++)
        {
            if (program[i] is End)
            {
                return i;
            }
        }
        return null;
    }

    private sealed class Begin(SuiteSession session, string name, int line, int column) : Instruction(line, column)
    {
        public override int Execute(RunState state)
        {
            var result = new CaseResult(name);
            session.Cases.Add(result);
            session.Current = result;
            // Each case starts on a fresh result and an empty outbox.
            session.Result.Reset();
            session.Outbox.Clear();
            return -1;
        }
    }

    private sealed class End(SuiteSession session, int line, int column) : Instruction(line, column)
    {
        public override int Execute(RunState state)
        {
            session.Current = null;
            return -1;
        }
    }
}
