using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Sluice.Tests.Configuration;

namespace Sluice.Tests.Queue;

/// <summary>
/// The real server as a child process (<c>dotnet Sluice.Server.dll --config F</c>, never
/// <c>dotnet run</c>, whose child survives a kill -9 of its parent), with its SMTP endpoint read from
/// its <c>listening: smtp smtp ADDRESS:PORT</c> line.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, IPEndPoint smtp)
    {
        _process = process;
        Smtp = smtp;
    }

    public IPEndPoint Smtp { get; }

    public static async Task<ServerProcess> StartAsync(string config, string workingDirectory)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(CheckCommandTests.ServerDll);
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(config);
        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 100; i++)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                break;
            }

            if (ListeningSmtp().Match(line) is { Success: true } match)
            {
                _ = DrainAsync(process); // keep stdout from filling up
                return new ServerProcess(process, IPEndPoint.Parse(match.Groups[1].Value));
            }
        }

        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException("the server printed no 'listening: smtp smtp' line");
    }

    /// <summary>SIGKILL: no shutdown code runs, the page cache survives.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private static async Task DrainAsync(Process process)
    {
        try
        {
            while (await process.StandardOutput.ReadLineAsync() is not null)
            {
            }
        }
        catch (InvalidOperationException)
        {
            // the process object was disposed
        }
    }

    [GeneratedRegex(@"^listening: smtp smtp (\S+)$")]
    private static partial Regex ListeningSmtp();
}
