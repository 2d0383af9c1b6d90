using System.Globalization;
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
        // Part 2 implemented the rest of SPEC §2.8; these Dovecot-only ones are not in it.
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

    /// <summary>Compile options as the suite's configuration stands: the ${tst.path} namespace, include's
    /// script directories ("included", "included-global" beside the test file), lists, editheader.</summary>
    public SieveCompileOptions CompileOptions(SieveExtensionSet extensions) => new()
    {
        Extensions = extensions,
        VariableNamespaces = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "tst" },
        Settings = Settings(),
    };

    public IReadOnlyDictionary<string, string> NamespaceVariables => new Dictionary<string, string> { ["tst.path"] = ScriptDirectory };

    /// <summary>The settings the suite's test_config_set keys stand for.</summary>
    public SieveSettings Settings()
    {
        var forbidAdd = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var forbidDelete = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (Config.TryGetValue("sieve_editheader_header", out string? headers))
        {
            foreach (string h in headers.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                string name = Config.GetValueOrDefault($"sieve_editheader_header/{h}/name", h);
                if (Config.GetValueOrDefault($"sieve_editheader_header/{h}/forbid_add") == "yes")
                {
                    forbidAdd.Add(name);
                }
                if (Config.GetValueOrDefault($"sieve_editheader_header/{h}/forbid_delete") == "yes")
                {
                    forbidDelete.Add(name);
                }
            }
        }
        return new SieveSettings
        {
            EditheaderForbidAdd = forbidAdd,
            EditheaderForbidDelete = forbidDelete,
            EditheaderMaxHeaderSize = Config.TryGetValue("sieve_editheader_max_header_size", out string? size) ? int.Parse(size, CultureInfo.InvariantCulture) : 2048,
            // Pigeonhole's defaults (Sluice's own default nesting is SPEC's 3).
            IncludeMaxIncludes = Config.TryGetValue("sieve_include_max_includes", out string? max) ? int.Parse(max, CultureInfo.InvariantCulture) : 255,
            IncludeMaxNesting = Config.TryGetValue("sieve_include_max_nesting_depth", out string? depth) ? int.Parse(depth, CultureInfo.InvariantCulture) : 10,
            IncludeResolver = (name, global) =>
            {
                string file = Path.Combine(ScriptDirectory, global ? "included-global" : "included", name + ".sieve");
                return File.Exists(file) ? File.ReadAllText(file) : null;
            },
        };
    }

    private Dictionary<string, string?> Lists()
    {
        var lists = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (Config.TryGetValue("sieve_extlists_list", out string? names))
        {
            foreach (string n in names.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                string name = Config.GetValueOrDefault($"sieve_extlists_list/{n}/name", n);
                lists["urn:ietf:params:sieve" + name] = Config.GetValueOrDefault($"sieve_extlists_list/{n}/dict/file/path");
            }
        }
        return lists;
    }

    public override bool IsValidList(string list) => Lists().ContainsKey(list);

    /// <summary>Lists are Dovecot dict files: key lines "priv/sieve/extlists/&lt;member&gt;", each followed by a value line.</summary>
    public override bool? ListContains(string list, string value)
    {
        if (!Lists().TryGetValue(list, out string? path))
        {
            return null;
        }
        if (path is null || !File.Exists(path))
        {
            return false;
        }
        string[] lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i += 2)
        {
            if (string.Equals(lines[i], "priv/sieve/extlists/" + value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The clock: test_set "currentdate" when a test set it, else now in the machine's zone.</summary>
    public override DateTimeOffset Now =>
        Config.TryGetValue("test_set:currentdate", out string? date) && MimeKit.Utils.DateUtils.TryParse(date, out DateTimeOffset set)
            ? set
            : DateTimeOffset.Now;

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
