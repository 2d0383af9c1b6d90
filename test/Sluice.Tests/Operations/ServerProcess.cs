using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Sluice.Tests.Configuration;

namespace Sluice.Tests.Operations;

/// <summary>The built server run as a child process (<c>dotnet Sluice.Server.dll --config F</c>), its listeners read from stdout.</summary>
internal sealed partial class ServerProcess : IDisposable
{
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _stdout = new();
    private readonly Dictionary<string, IPEndPoint> _listeners = new(StringComparer.Ordinal);

    private ServerProcess(Process process)
    {
        Process = process;
    }

    public Process Process { get; }

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

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public IPEndPoint EndPoint(string listener)
    {
        lock (_listeners)
        {
            return _listeners[listener];
        }
    }

    /// <summary>Starts the server and waits for a <c>listening:</c> line for each of <paramref name="listeners"/>.</summary>
    public static Task<ServerProcess> StartAsync(string config, string workingDirectory, params string[] listeners)
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
        return StartAsync(start, listeners);
    }

    /// <summary>Starts any process that prints <c>listening:</c> lines (the server, the ASP.NET sample).</summary>
    public static async Task<ServerProcess> StartAsync(ProcessStartInfo start, params string[] listeners)
    {
        var server = new ServerProcess(Process.Start(start)!);
        var bound = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Process.OutputDataReceived += (_, e) =>
        {
            Append(server._stdout, e.Data);
            if (e.Data is not null && Listening().Match(e.Data) is { Success: true } match)
            {
                lock (server._listeners)
                {
                    server._listeners[match.Groups[1].Value] = IPEndPoint.Parse(match.Groups[2].Value);
                    if (listeners.All(server._listeners.ContainsKey))
                    {
                        bound.TrySetResult();
                    }
                }
            }
        };
        server.Process.ErrorDataReceived += (_, e) => Append(server._stderr, e.Data);
        server.Process.Exited += (_, _) => bound.TrySetException(new InvalidOperationException("the server exited"));
        server.Process.EnableRaisingEvents = true;
        server.Process.BeginOutputReadLine();
        server.Process.BeginErrorReadLine();
        try
        {
            await bound.Task.WaitAsync(TimeSpan.FromSeconds(60));
            return server;
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            var stderr = server.Stderr;
            server.Dispose();
            throw new InvalidOperationException("the server did not report its listeners: " + stderr, ex);
        }
    }

    /// <summary>Sends SIGTERM, as Kubernetes and <c>docker stop</c> do.</summary>
    public void Terminate()
    {
        if (NativeMethods.Kill(Process.Id, 15) != 0)
        {
            throw new InvalidOperationException("kill(SIGTERM) failed: errno " + Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>The exit code, or a failure when the process has not exited within <paramref name="limit"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await Process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the server did not exit within {limit}; stderr:\n{Stderr}");
        }
        return Process.ExitCode;
    }

    private static void Append(StringBuilder to, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (to)
        {
            to.AppendLine(line);
        }
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit(10_000);
        }
        Process.Dispose();
    }

    [GeneratedRegex(@"^listening: (\S+) \S+ (\S+)$")]
    private static partial Regex Listening();

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Kill(int pid, int signal);
    }
}
