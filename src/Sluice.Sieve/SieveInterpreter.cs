using Sluice.Sieve.Runtime;

namespace Sluice.Sieve;

/// <summary>Runs compiled scripts. The loop is flat over the instruction list: blocks are jumps, not recursion.</summary>
public static class SieveInterpreter
{
    public static SieveResult Run(SieveScript script, SieveRunContext context)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(context);
        var result = new ResultBuilder();
        var state = new RunState(script, context, result);
        SieveError? error = Execute(script, state);
        SieveRunStatus status = error is null ? SieveRunStatus.Completed
            : error.Message.Contains("CPU limit", StringComparison.Ordinal) ? SieveRunStatus.BudgetExhausted
            : SieveRunStatus.Error;
        return new SieveResult(result.Final(), status, error, state.InstructionsUsed);
    }

    /// <summary>Runs until the end, stop, or an error; returns the error, if any.</summary>
    internal static SieveError? Execute(SieveScript script, RunState state)
    {
        Instruction[] program = script.Program;
        int pc = 0;
        Instruction? current = null;
        try
        {
            // Each step charges the budget, so the loop ends even if jumps went backwards.
            while (pc < program.Length && !state.Stopped)
            {
                state.Tick();
                current = program[pc];
                int next = current.Execute(state);
                pc = next < 0 ? pc + 1 : next;
            }
            return null;
        }
        catch (SieveRuntimeException ex)
        {
            return new SieveError(current?.Line ?? 0, current?.Column ?? 0, ex.Message);
        }
    }
}
