using Sluice.Sieve.Runtime;

namespace Sluice.Sieve;

/// <summary>A compiled script: immutable, run any number of times, from any number of threads.</summary>
public sealed class SieveScript
{
    internal SieveScript(Instruction[] program, int variableCount, IReadOnlyList<string> requiredExtensions)
    {
        Program = program;
        VariableCount = variableCount;
        RequiredExtensions = requiredExtensions;
    }

    internal Instruction[] Program { get; }

    internal int VariableCount { get; }

    /// <summary>The capabilities the script's require commands named.</summary>
    public IReadOnlyList<string> RequiredExtensions { get; }
}
