using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Sluice.Tests.Configuration;

namespace Sluice.Tests.Support;

/// <summary>
/// The real server as its own process (<c>dotnet Sluice.Server.dll --config F</c>), so that it can be
/// killed with SIGKILL and its memory read from <c>/proc/&lt;pid&gt;/status</c> apart from the test's own.
/// Its SMTP endpoint comes from its <c>listening: smtp smtp ADDRESS:PORT</c> line; the rest of its
/// output is drained (kept, to be shown when a test fails).
/// </summary>
internal sealed partial class SluiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private SluiceProcess(Process process)
    {
        _process = process;
    }

    public IPEndPoint Smtp { get; private set; } = null!;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the server wrote to stderr so far (for failure messages).</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts the server on the configuration file <paramref name="config"/> and waits for its SMTP listener.</summary>
    public static async Task<SluiceProcess> StartAsync(string config, string workingDirectory)
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
        var server = new SluiceProcess(Process.Start(start)!);
        server._process.ErrorDataReceived += (_, e) =>
        {
            lock (server._stderr)
            {
                server._stderr.AppendLine(e.Data);
            }
        };
        server._process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        for (var i = 0; i < 200; i++)
        {
            var line = await server._process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                break;
            }

            if (ListeningSmtp().Match(line) is { Success: true } match)
            {
                server.Smtp = IPEndPoint.Parse(match.Groups[1].Value);
                _ = DrainAsync(server._process);
                return server;
            }
        }

        await server.KillAsync();
        throw new InvalidOperationException("the server printed no 'listening: smtp smtp' line: " + server.Stderr);
    }

    /// <summary>SIGKILL: no shutdown code runs (the page cache survives; see TRAPS.md on what this does not prove).</summary>
    public async Task KillAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>
    /// A size line of <c>/proc/&lt;pid&gt;/status</c> in bytes: <c>VmRSS</c> (resident now) or
    /// <c>VmHWM</c> (the peak resident size since the process started).
    /// </summary>
    public long ReadMemory(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                var kb = line[(field.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"no {field} in /proc/{_process.Id}/status");
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
