namespace Sluice.Server;

/// <summary>What <c>queue list|show ID|export --dir D</c> asked for.</summary>
public enum QueueAction
{
    List,
    Show,
    Export,
}

/// <summary>The arguments of the <c>queue</c> verb (SPEC §2.9), parsed before anything reaches ASP.NET.</summary>
public sealed record QueueCommandLine
{
    public QueueAction Action { get; init; }

    /// <summary>The message id of <c>show</c>.</summary>
    public string? Id { get; init; }

    /// <summary>The target directory of <c>export</c>.</summary>
    public string? Directory { get; init; }

    public const string Usage = """
        usage: Sluice.Server queue list [--config PATH]
               Sluice.Server queue show ID [--config PATH]
               Sluice.Server queue export --dir DIR [--config PATH]
        """;

    /// <summary>
    /// Parses what follows <c>queue</c>; the options it does not know (<c>--config</c>, overrides)
    /// are returned in <paramref name="rest"/> for the general parser.
    /// </summary>
    public static QueueCommandLine? Parse(IReadOnlyList<string> args, out List<string> rest, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        rest = [];
        error = null;
        var positional = new List<string>();
        string? directory = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--dir")
            {
                if (i + 1 >= args.Count)
                {
                    error = "--dir needs a directory";
                    return null;
                }

                directory = args[++i];
            }
            else if (arg.StartsWith("--dir=", StringComparison.Ordinal))
            {
                directory = arg["--dir=".Length..];
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                rest.Add(arg);
                if (arg == "--config" && i + 1 < args.Count)
                {
                    rest.Add(args[++i]);
                }
            }
            else
            {
                positional.Add(arg);
            }
        }

        var command = positional switch
        {
            ["list"] => new QueueCommandLine { Action = QueueAction.List },
            ["show", var id] => new QueueCommandLine { Action = QueueAction.Show, Id = id },
            ["export"] when directory is not null => new QueueCommandLine { Action = QueueAction.Export, Directory = directory },
            ["export"] => null,
            _ => null,
        };
        if (command is null)
        {
            error = positional is ["export"] ? "queue export needs --dir DIR" : "expected queue list, queue show ID or queue export --dir DIR";
        }
        else if (directory is not null && command.Action != QueueAction.Export)
        {
            error = "--dir belongs to queue export";
            command = null;
        }

        return command;
    }
}
