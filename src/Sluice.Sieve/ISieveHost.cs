namespace Sluice.Sieve;

/// <summary>
/// What the interpreter asks the world. The library does no I/O of its own: lists, included scripts,
/// duplicate tracking, external programs, mailboxes, time and environment all come through here.
/// Every member has a safe default in <see cref="SieveHost"/>.
/// </summary>
public interface ISieveHost
{
    /// <summary>The current time, for the date extension and anything time-based.</summary>
    DateTimeOffset Now { get; }

    /// <summary>An environment item (RFC 5183), or null when the host does not know it.</summary>
    string? GetEnvironmentItem(string name);

    /// <summary>Whether a mailbox exists (RFC 5490 mailboxexists); null when the host cannot tell.</summary>
    bool? MailboxExists(string mailbox);

    /// <summary>Whether a list (RFC 6134) contains the value; null when the list is unknown.</summary>
    bool? ListContains(string list, string value);

    /// <summary>Whether the host knows a list by this name (RFC 6134 valid_ext_list).</summary>
    bool IsValidList(string list);

    /// <summary>The text of an included script (RFC 6609), or null when there is none by that name.</summary>
    string? GetIncludedScript(string name, bool isGlobal);

    /// <summary>Records the id and tells whether it was seen within the period (RFC 7352).</summary>
    bool CheckDuplicate(string handle, string id, TimeSpan period);

    /// <summary>Runs an allowed external program; null when it is not allowed.</summary>
    SieveExecuteResult? Execute(string program, IReadOnlyList<string> arguments, string? input);
}

public sealed record SieveExecuteResult(int ExitCode, string Output);

/// <summary>A host that knows nothing: no lists, no mailboxes, no environment beyond the defaults.</summary>
public class SieveHost : ISieveHost
{
    public virtual DateTimeOffset Now => DateTimeOffset.UtcNow;

    public virtual string? GetEnvironmentItem(string name) => null;

    public virtual bool? MailboxExists(string mailbox) => null;

    public virtual bool? ListContains(string list, string value) => null;

    public virtual bool IsValidList(string list) => false;

    public virtual string? GetIncludedScript(string name, bool isGlobal) => null;

    public virtual bool CheckDuplicate(string handle, string id, TimeSpan period) => false;

    public virtual SieveExecuteResult? Execute(string program, IReadOnlyList<string> arguments, string? input) => null;
}
