using Sluice.Configuration.Settings;
using Sluice.Queue;
using Sluice.Queue.Log;

namespace Sluice.Server;

/// <summary>
/// Runs <c>queue list|show|export</c> against the store the configuration names. It only reads
/// (never repairs a segment), so it is safe while the server runs.
/// </summary>
public static class QueueVerb
{
    /// <summary>Runs the verb; returns the process exit code.</summary>
    public static int Run(ServerCommandLine commandLine, TextWriter stdout, Stream rawStdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var queue = commandLine.Queue!;
        var (settings, errors) = SluiceSettingsReader.Read(SluiceServerApp.BuildConfiguration(commandLine));
        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                stderr.WriteLine(error);
            }

            return 1;
        }

        var reader = OpenReader(settings.Queue);
        switch (queue.Action)
        {
            case QueueAction.List:
                QueueCommands.List(reader, stdout);
                stdout.Flush();
                return 0;
            case QueueAction.Show:
                if (!QueueCommands.Show(reader, queue.Id!, rawStdout))
                {
                    stderr.WriteLine($"error: no message {queue.Id} in the queue");
                    return 1;
                }

                return 0;
            default:
                QueueCommands.Export(reader, queue.Directory!);
                return 0;
        }
    }

    /// <summary>A reader of the configured store.</summary>
    public static IQueueReader OpenReader(QueueSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Type == QueueType.Log
            ? new LogQueueReader(settings.Path, settings.Fsync)
            : new FilesQueueReader(settings.Path, settings.Fsync);
    }
}
