namespace Sluice.Fuzz;

/// <summary>
/// A target's own check failed (e.g. split input gave another result than whole input). Thrown so
/// that afl-fuzz records the input as a crash, like any unexpected exception of the code under test.
/// </summary>
public sealed class FuzzFindingException : Exception
{
    public FuzzFindingException()
    {
    }

    public FuzzFindingException(string message)
        : base(message)
    {
    }

    public FuzzFindingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
