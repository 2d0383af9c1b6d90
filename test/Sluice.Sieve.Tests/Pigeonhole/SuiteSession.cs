using Sluice.Sieve.Runtime;

namespace Sluice.Sieve.Tests.Pigeonhole;

/// <summary>The outcome of one `test "..." { }` block of a .svtest file.</summary>
internal sealed class CaseResult(string name)
{
    public string Name { get; } = name;

    public string? Failure { get; set; }

    /// <summary>Set when the case relies on something Sluice deliberately does not have.</summary>
    public string? NotApplicable { get; set; }

    /// <summary>Part-2 extensions a script of this case required (a failure then is "not yet").</summary>
    public HashSet<string> MissingExtensions { get; } = new(StringComparer.Ordinal);
}

/// <summary>A message the harness "stored" or "sent" while executing a result.</summary>
internal sealed record StoredMessage(ISieveMessage Message, SieveEnvelope Envelope);

/// <summary>
/// The state of one .svtest file's run: the harness plays the host (mail store, SMTP outbox,
/// environment, configuration) and records each test block's outcome.
/// </summary>
internal sealed class SuiteSession(string scriptDirectory) : SieveHost
{
    /// <summary>Extensions issue 7 leaves for part 2; scripts needing them fail as "not yet".</summary>
    public static readonly HashSet<string> PartTwoExtensions = new(StringComparer.Ordinal)
    {
        "regex", "body", "editheader", "include", "mime", "foreverypart", "replace", "extracttext",
        "extlists", "duplicate", "date", "index", "envelope-dsn", "envelope-deliverby",
        "vnd.dovecot.debug", "vnd.dovecot.environment",
    };

    /// <summary>Extensions Sluice deliberately does not implement (SPEC §2.8 leaves them out: an
    /// SMTP-stage filter sends no auto-replies or notifications).</summary>
    public static readonly HashSet<string> NotInSluice = new(StringComparer.Ordinal) { "vacation", "enotify" };

    public string ScriptDirectory { get; } = scriptDirectory;

    public List<CaseResult> Cases { get; } = [];

    public CaseResult? Current { get; set; }

    public ResultBuilder Result { get; } = new();

    public SieveCompileResult? LastCompile { get; set; }

    public SieveScript? LastScript { get; set; }

    public Dictionary<string, SieveScript?> SavedBinaries { get; } = new(StringComparer.Ordinal);

    /// <summary>Errors of the last test_script_compile or test_script_run, as test_error sees them.</summary>
    public List<string> LastErrors { get; } = [];

    public Dictionary<string, List<StoredMessage>> Mailboxes { get; } = new(StringComparer.Ordinal) { ["INBOX"] = [] };

    public List<StoredMessage> Outbox { get; } = [];

    public Dictionary<string, string> Config { get; } = new(StringComparer.Ordinal);

    /// <summary>Failures outside any test block (the file's own setup).</summary>
    public List<string> FileErrors { get; } = [];

    public override string? GetEnvironmentItem(string name) => name.ToLowerInvariant() switch
    {
        // What Pigeonhole's testsuite reports; the environment tests check these exact values.
        "name" => "Pigeonhole Sieve",
        "location" => "MS",
        "phase" => "during",
        "domain" => "example.com",
        "host" => "host.example.com",
        _ => null,
    };

    public override bool? MailboxExists(string mailbox) => Mailboxes.ContainsKey(NormalizeMailbox(mailbox));

    /// <summary>INBOX is case-insensitive (RFC 3501 §5.1), also as the first level of a hierarchy.</summary>
    public static string NormalizeMailbox(string name)
    {
        if (name.Equals("INBOX", StringComparison.OrdinalIgnoreCase))
        {
            return "INBOX";
        }
        if (name.Length > 6 && name.StartsWith("INBOX", StringComparison.OrdinalIgnoreCase) && name[5] is '.' or '/')
        {
            return "INBOX" + name[5..];
        }
        return name;
    }

    public void Fail(string reason)
    {
        if (Current is null)
        {
            FileErrors.Add(reason);
        }
        else
        {
            Current.Failure ??= reason;
        }
    }

    /// <summary>Notes part-2 capabilities a compile complained about, so the case reports "not yet".</summary>
    public void NoteMissingExtensions(IEnumerable<SieveError> errors)
    {
        foreach (SieveError error in errors)
        {
            const string marker = "unknown Sieve capability '";
            int at = error.Message.IndexOf(marker, StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }
            string name = error.Message[(at + marker.Length)..].TrimEnd('\'');
            if (PartTwoExtensions.Contains(name))
            {
                Current?.MissingExtensions.Add(name);
            }
            else if (NotInSluice.Contains(name) && Current is not null)
            {
                Current.NotApplicable ??= $"the script requires {name}, which Sluice does not implement (not in SPEC §2.8)";
            }
        }
    }
}
