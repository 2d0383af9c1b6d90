using System.Globalization;

namespace Sluice.Sieve.Cli;

/// <summary>The command line, parsed. Errors are reported as messages, never as exceptions.</summary>
internal sealed class CliOptions
{
    public string Command { get; private set; } = "";

    public string? Script { get; private set; }

    public string? MessageFile { get; private set; }

    public string? From { get; private set; }

    public List<string> To { get; } = [];

    public string? Auth { get; private set; }

    public long Cpu { get; private set; } = 5000;

    public int Redirects { get; private set; } = 1;

    public int NestedIncludes { get; private set; } = 3;

    public string? PersonalDir { get; private set; }

    public string? GlobalDir { get; private set; }

    public string? OutputFile { get; private set; }

    public DateTimeOffset? Now { get; private set; }

    public Dictionary<string, string> Variables { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, string> Environment { get; } = new(StringComparer.OrdinalIgnoreCase);

    public List<(string Name, string File)> Lists { get; } = [];

    public List<string> AllowedPrograms { get; } = [];

    public static string Usage => """
        usage:
          sluice-sieve check SCRIPT [--personal-dir DIR] [--global-dir DIR]
          sluice-sieve run SCRIPT --message FILE.eml [--from ADDR] [--to ADDR]... [--auth USER]
                       [--cpu N] [--redirects N] [--nested-includes N]
                       [--personal-dir DIR] [--global-dir DIR]
                       [--var env.remote_ip=1.2.3.4]... [--env name=value]...
                       [--list :addrbook:default=FILE]... [--allow-program /abs/path]...
                       [--now "Mon, 20 Jul 2009 21:44:43 +0300"] [--output EDITED.eml]

        check compiles the script and prints every error with its line and column.
        run also runs it on the message with the given envelope and prints the actions and,
        when the script edited the message, the edited message (or writes it to --output).
        exit codes: 0 ok, 1 compile errors, 2 runtime error or CPU limit, 64 bad command line.
        """;

    public static CliOptions? Parse(string[] args, out string? error)
    {
        error = null;
        var o = new CliOptions();
        if (args.Length < 2 || args[0] is not ("check" or "run"))
        {
            error = args.Length == 0 ? "missing command" : args[0] is "check" or "run" ? "missing script file" : $"unknown command '{args[0]}'";
            return null;
        }
        o.Command = args[0];
        o.Script = args[1];
        for (int i = 2; i < args.Length; i++)
        {
            string flag = args[i];
            if (i + 1 >= args.Length)
            {
                error = $"{flag} needs a value";
                return null;
            }
            string value = args[++i];
            switch (flag)
            {
                case "--message":
                    o.MessageFile = value;
                    break;
                case "--from":
                    o.From = value;
                    break;
                case "--to":
                    o.To.Add(value);
                    break;
                case "--auth":
                    o.Auth = value;
                    break;
                case "--cpu" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long cpu) && cpu > 0:
                    o.Cpu = cpu;
                    break;
                case "--redirects" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int r):
                    o.Redirects = r;
                    break;
                case "--nested-includes" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n):
                    o.NestedIncludes = n;
                    break;
                case "--personal-dir":
                    o.PersonalDir = value;
                    break;
                case "--global-dir":
                    o.GlobalDir = value;
                    break;
                case "--output":
                    o.OutputFile = value;
                    break;
                case "--now" when MimeKitDate(value) is { } now:
                    o.Now = now;
                    break;
                case "--var" or "--env" or "--list" when value.IndexOf('=', StringComparison.Ordinal) > 0:
                    int eq = value.IndexOf('=', StringComparison.Ordinal);
                    (string k, string v) = (value[..eq], value[(eq + 1)..]);
                    if (flag == "--var")
                    {
                        o.Variables[k] = v;
                    }
                    else if (flag == "--env")
                    {
                        o.Environment[k] = v;
                    }
                    else
                    {
                        o.Lists.Add((k, v));
                    }
                    break;
                case "--allow-program" when Path.IsPathFullyQualified(value):
                    o.AllowedPrograms.Add(value);
                    break;
                default:
                    error = $"invalid option or value: {flag} {value}";
                    return null;
            }
        }
        if (o.Command == "run" && o.MessageFile is null)
        {
            error = "run needs --message FILE.eml";
            return null;
        }
        return o;
    }

    private static DateTimeOffset? MimeKitDate(string value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset iso) ? iso
        : MimeKit.Utils.DateUtils.TryParse(value, out DateTimeOffset rfc) ? rfc
        : null;
}
