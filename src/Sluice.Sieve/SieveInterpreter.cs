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
        SieveError? error = Execute(script, state, 0, out bool budgetExhausted);
        SieveRunStatus status = error is null ? SieveRunStatus.Completed
            : budgetExhausted ? SieveRunStatus.BudgetExhausted
            : SieveRunStatus.Error;
        // RFC 5228 §2.10.6: after a runtime error the actions so far are dropped and the implicit keep stands.
        IReadOnlyList<SieveAction> actions = error is null ? result.Final() : [new KeepAction([], Implicit: true)];
        return new SieveResult(actions, status, error, state.InstructionsUsed)
        {
            EditedMessage = error is null && state.Edited ? state.Message : null,
            Warnings = state.Warnings,
        };
    }

    /// <summary>Runs until the end, stop, or an error; returns the error, if any.</summary>
    internal static SieveError? Execute(SieveScript script, RunState state, int start, out bool budgetExhausted)
    {
        budgetExhausted = false;
        Instruction[] program = script.Program;
        int pc = start;
        Instruction? current = null;
        try
        {
            // Each step charges the budget, so the loop ends even if jumps went backwards.
            while (pc < program.Length && !state.Stopped && !state.Returning)
            {
                state.Tick();
                current = program[pc];
                state.ProgramCounter = pc;
                int next = current.Execute(state);
                pc = next < 0 ? pc + 1 : next;
            }
            return null;
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            return new SieveError(current?.Line ?? 0, current?.Column ?? 0,
                $"a regular expression took longer than {state.Settings.RegexTimeout.TotalMilliseconds:0} ms to match (catastrophic pattern?)");
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException or NotSupportedException
                                       or IOException or System.Text.DecoderFallbackException or OverflowException or KeyNotFoundException)
        {
            // A message MimeKit cannot read, or a host that fails: a clear runtime error, never a crash of the caller.
            return new SieveError(current?.Line ?? 0, current?.Column ?? 0, $"internal error while running the script: {ex.GetType().Name}: {ex.Message}");
        }
        catch (SieveRuntimeException ex)
        {
            budgetExhausted = ex.BudgetExhausted;
            return new SieveError(current?.Line ?? 0, current?.Column ?? 0, ex.Message);
        }
    }
}
