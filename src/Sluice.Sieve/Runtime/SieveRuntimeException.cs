namespace Sluice.Sieve.Runtime;

/// <summary>Ends a run: a runtime error (bad argument value, action conflict) or an exhausted budget.</summary>
public sealed class SieveRuntimeException : Exception
{
    public SieveRuntimeException()
    {
    }

    public SieveRuntimeException(string message) : base(message)
    {
    }

    public SieveRuntimeException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public SieveRuntimeException(string message, bool budgetExhausted) : base(message)
    {
        BudgetExhausted = budgetExhausted;
    }

    /// <summary>True when the CPU budget ran out (the SMTP stage answers 451 4.3.0).</summary>
    public bool BudgetExhausted { get; }
}
