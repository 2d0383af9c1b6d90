namespace Sluice.Sieve.Runtime;

/// <summary>One step of a compiled script. Returns the index of the next instruction, or -1 for the following one.</summary>
internal abstract class Instruction(int line, int column)
{
    public int Line { get; } = line;
    public int Column { get; } = column;

    public abstract int Execute(RunState state);
}

/// <summary>A jump target, fixed when the code after it has been emitted.</summary>
internal sealed class Label
{
    public int Target { get; set; } = -1;
}

/// <summary>A test of the language: evaluated to true or false. Nesting is capped by the parser, so evaluating recursively is bounded.</summary>
internal abstract class TestExpression(int line, int column)
{
    public int Line { get; } = line;
    public int Column { get; } = column;

    /// <summary>Known at compile time (true/false and what is built from them), else null.</summary>
    public virtual bool? Constant => null;

    public abstract bool Evaluate(RunState state);
}

internal sealed class JumpIfFalse(TestExpression test, Label target) : Instruction(test.Line, test.Column)
{
    public override int Execute(RunState state)
    {
        state.Tick();
        return test.Evaluate(state) ? -1 : target.Target;
    }
}

internal sealed class Jump(Label target, int line, int column) : Instruction(line, column)
{
    public override int Execute(RunState state) => target.Target;
}

/// <summary>A command whose whole effect is a delegate over the run state; most commands are this.</summary>
internal sealed class ActionInstruction(Action<RunState> action, int line, int column) : Instruction(line, column)
{
    public override int Execute(RunState state)
    {
        action(state);
        return -1;
    }
}

/// <summary>A test whose evaluation is a delegate over the run state.</summary>
internal sealed class DelegateTest(Func<RunState, bool> evaluate, int line, int column) : TestExpression(line, column)
{
    public override bool Evaluate(RunState state) => evaluate(state);
}

internal sealed class ConstantTest(bool value, int line, int column) : TestExpression(line, column)
{
    public override bool? Constant => value;

    public override bool Evaluate(RunState state) => value;
}

internal sealed class NotTest(TestExpression inner, int line, int column) : TestExpression(line, column)
{
    public override bool? Constant => inner.Constant is { } c ? !c : null;

    public override bool Evaluate(RunState state)
    {
        state.Tick();
        return !inner.Evaluate(state);
    }
}

/// <summary>allof / anyof, short-circuiting in order.</summary>
internal sealed class ListTest(IReadOnlyList<TestExpression> tests, bool all, int line, int column) : TestExpression(line, column)
{
    public override bool? Constant
    {
        get
        {
            bool allKnown = true;
            foreach (TestExpression t in tests)
            {
                bool? c = t.Constant;
                if (c is null)
                {
                    allKnown = false;
                }
                else if (c.Value != all)
                {
                    return !all;
                }
            }
            return allKnown ? all : null;
        }
    }

    public override bool Evaluate(RunState state)
    {
        foreach (TestExpression t in tests)
        {
            state.Tick();
            if (t.Evaluate(state) != all)
            {
                return !all;
            }
        }
        return all;
    }
}
