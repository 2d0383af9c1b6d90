namespace Sluice.Server;

/// <summary>What the user asked for on the command line.</summary>
public enum ServerVerb
{
    Run,
    Check,
    Help,
    Queue,
}

/// <summary>
/// Sluice's own flags, parsed before anything reaches ASP.NET: WebApplication would otherwise take
/// <c>--check --config X</c> as a key <c>check</c> with the value <c>--config</c> (TRAPS.md).
/// Only <c>--section:key=value</c> overrides are handed on to the configuration.
/// </summary>
public sealed record ServerCommandLine
{
    /// <summary>The configuration file when none is named: <c>appsettings.toml</c> in the working directory, if it exists.</summary>
    public const string DefaultConfigFile = "appsettings.toml";

    public ServerVerb Verb { get; init; } = ServerVerb.Run;

    /// <summary>The file named by <c>--config</c>; null when none was given.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>The <c>--section:key=value</c> arguments, for the command-line configuration layer.</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];

    public string? Error { get; init; }

    /// <summary>The <c>queue</c> verb's arguments, when <see cref="Verb"/> is <see cref="ServerVerb.Queue"/>.</summary>
    public QueueCommandLine? Queue { get; init; }

    public const string Usage = """
        usage: Sluice.Server [--config PATH] [--check] [--section:key=value ...]
               Sluice.Server queue list|show ID|export --dir DIR [--config PATH]
          --config PATH          the TOML configuration file (default: ./appsettings.toml if present,
                                 else built-in defaults)
          --check                validate the configuration, print "ok" or every error, and exit
          --section:key=value    override one setting, e.g. --session:timeout=30s
        environment: SLUICE__section__key=value overrides a setting too (e.g. SLUICE__queue__path=/var/spool/sluice)
        """;

    public static ServerCommandLine Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count > 0 && args[0] == "queue")
        {
            var queue = QueueCommandLine.Parse([.. args.Skip(1)], out var rest, out var queueError);
            if (queue is null)
            {
                return new ServerCommandLine { Error = queueError };
            }

            return Parse(rest) is { Error: null, Verb: ServerVerb.Run } general
                ? general with { Verb = ServerVerb.Queue, Queue = queue }
                : new ServerCommandLine { Error = Parse(rest).Error ?? "queue takes no other verb" };
        }

        var verb = ServerVerb.Run;
        string? config = null;
        var overrides = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--check":
                    verb = ServerVerb.Check;
                    break;
                case "--help" or "-h":
                    verb = ServerVerb.Help;
                    break;
                case "--config":
                    if (i + 1 >= args.Count)
                    {
                        return new ServerCommandLine { Error = "--config needs a file path" };
                    }
                    config = args[++i];
                    break;
                default:
                    if (arg.StartsWith("--config=", StringComparison.Ordinal))
                    {
                        config = arg["--config=".Length..];
                    }
                    else if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains(':', StringComparison.Ordinal))
                    {
                        if (arg.Contains('=', StringComparison.Ordinal))
                        {
                            overrides.Add(arg);
                        }
                        else if (i + 1 < args.Count)
                        {
                            overrides.Add(arg + "=" + args[++i]);
                        }
                        else
                        {
                            return new ServerCommandLine { Error = $"{arg} needs a value (--section:key=value)" };
                        }
                    }
                    else
                    {
                        return new ServerCommandLine { Error = $"unknown argument '{arg}'" };
                    }
                    break;
            }
        }
        return new ServerCommandLine { Verb = verb, ConfigPath = config, Overrides = overrides };
    }
}
