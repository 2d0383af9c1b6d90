namespace Sluice.Sieve;

/// <summary>Everything one run needs: the message, its envelope, the host and the limits.</summary>
public sealed class SieveRunContext
{
    public required ISieveMessage Message { get; init; }

    public SieveEnvelope Envelope { get; init; } = new();

    public ISieveHost Host { get; init; } = new SieveHost();

    public SieveLimits Limits { get; init; } = new();

    /// <summary>Extension settings: editheader limits and protected fields, include limits, regex timeout.</summary>
    public SieveSettings Settings { get; init; } = SieveSettings.Default;

    /// <summary>Characters separating user and detail in a local part (subaddress, RFC 5233).</summary>
    public string RecipientDelimiters { get; init; } = "+";

    /// <summary>Read-only variables of the namespaces the script was compiled with ("env.remote_ip", ...).</summary>
    public IReadOnlyDictionary<string, string> NamespaceVariables { get; init; } = new Dictionary<string, string>();
}

public enum SieveRunStatus
{
    /// <summary>The script ran to its end or to stop.</summary>
    Completed,

    /// <summary>A runtime error ended the run; the actions are just the implicit keep (RFC 5228 §2.10.6).</summary>
    Error,

    /// <summary>The CPU budget ran out.</summary>
    BudgetExhausted,
}

/// <summary>What a run produced.</summary>
public sealed class SieveResult
{
    internal SieveResult(IReadOnlyList<SieveAction> actions, SieveRunStatus status, SieveError? error, long instructions)
    {
        Actions = actions;
        Status = status;
        Error = error;
        InstructionsUsed = instructions;
    }

    /// <summary>The actions to carry out, the implicit keep included as a <see cref="KeepAction"/> when it stands.</summary>
    public IReadOnlyList<SieveAction> Actions { get; }

    public SieveRunStatus Status { get; }

    public SieveError? Error { get; }

    public long InstructionsUsed { get; }

    /// <summary>Problems that did not stop the run (say, a computed regular expression that is invalid).</summary>
    public IReadOnlyList<SieveError> Warnings { get; init; } = [];

    /// <summary>The message after the script's edits (editheader, replace); null when it was not changed.</summary>
    public ISieveMessage? EditedMessage { get; init; }

    /// <summary>The edited message as bytes, for the host to store or pass on; null when it was not changed.</summary>
    public ReadOnlyMemory<byte>? EditedBytes => EditedMessage?.RawBytes;
}
