namespace Sluice.Sieve;

/// <summary>An action a script's run produced (RFC 5228 §4 and extensions).</summary>
public abstract record SieveAction
{
    /// <summary>The action's name as the testsuite and logs use it ("keep", "fileinto", ...).</summary>
    public abstract string Name { get; }

    /// <summary>The message as the script had edited it (editheader, replace) when this action ran; null when unedited.</summary>
    public ISieveMessage? Message { get; init; }
}

/// <summary>Store into the default mailbox; <see cref="Implicit"/> when no action cancelled the implicit keep.</summary>
public sealed record KeepAction(IReadOnlyList<string> Flags, bool Implicit = false) : SieveAction
{
    public override string Name => "keep";
}

public sealed record DiscardAction : SieveAction
{
    public override string Name => "discard";
}

/// <summary>reject (RFC 5429) or, with <see cref="Extended"/>, ereject: refuse with the script's text.</summary>
public sealed record RejectAction(string Reason, bool Extended) : SieveAction
{
    public override string Name => Extended ? "ereject" : "reject";
}

/// <summary>fileinto, with imap4flags :flags, copy :copy and mailbox :create.</summary>
public sealed record FileIntoAction(string Mailbox, IReadOnlyList<string> Flags, bool Copy, bool Create) : SieveAction
{
    public override string Name => "fileinto";
}

/// <summary>redirect, with copy :copy, and the DSN (RFC 6009 §5) and deliver-by (RFC 6009 §6) requests.</summary>
public sealed record RedirectAction(string Address, bool Copy) : SieveAction
{
    public override string Name => "redirect";

    /// <summary>:notify — "NEVER" or a comma list of SUCCESS, FAILURE, DELAY; null when not given.</summary>
    public string? Notify { get; init; }

    /// <summary>:ret — "FULL" or "HDRS"; null when not given.</summary>
    public string? Ret { get; init; }

    /// <summary>:bytimerelative seconds, or :bytimeabsolute turned into seconds from now; null when not given.</summary>
    public long? ByTime { get; init; }

    /// <summary>:bymode — "notify" or "return".</summary>
    public string? ByMode { get; init; }

    public bool ByTrace { get; init; }

    /// <summary>redirect :list (RFC 6134 §2.3): <see cref="Address"/> names a list the host expands.</summary>
    public bool IsList { get; init; }
}

/// <summary>vnd.sluice.execute: a program the host ran (or refused), with its exit code.</summary>
public sealed record ExecuteAction(string Program, IReadOnlyList<string> Arguments, int ExitCode) : SieveAction
{
    public override string Name => "execute";
}
