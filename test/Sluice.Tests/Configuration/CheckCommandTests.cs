using System.Diagnostics;
using Sluice.Tests.Support;

namespace Sluice.Tests.Configuration;

/// <summary>
/// <c>--check</c> as SPEC §1 gives it: <c>ok</c> alone on stdout and exit 0, or every error on stderr
/// as <c>FILE:LINE: KEY: message</c> and exit 1. Runs the real executable.
/// </summary>
public class CheckCommandTests
{
    internal static string ServerDll =>
        Path.Combine(AppContext.BaseDirectory, "Sluice.Server.dll");

    internal static async Task<(int ExitCode, string Stdout, string Stderr)> RunServerAsync(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(ServerDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    [Test]
    public async Task A_valid_file_prints_ok_and_exits_0()
    {
        using var dir = new TempDir();
        var path = dir.File("good.toml", "[server]\nhostname = \"mx.example.org\"\n[session]\ntimeout = \"2m\"\n");
        var (exit, stdout, stderr) = await RunServerAsync(dir.Path, "--config", path, "--check");
        Assert.That((exit, stdout, stderr), Is.EqualTo((0, "ok\n", string.Empty)));
    }

    [Test]
    public async Task A_broken_file_lists_every_error_and_exits_1()
    {
        using var dir = new TempDir();
        dir.File("broken.toml", "[server]\nmax-connections = \"many\"\n\n[session]\ntimeout = \"5 minutes\"\nbogus = 1\n");
        var (exit, stdout, stderr) = await RunServerAsync(dir.Path, "--config", "broken.toml", "--check");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(stdout, Is.Empty);
            Assert.That(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
            {
                "broken.toml:2: server.max-connections: expected an integer, found a string",
                "broken.toml:5: session.timeout: '5 minutes' is not a duration (e.g. \"500ms\", \"30s\", \"5m\", \"1h\", \"1d\")",
                "broken.toml:6: session.bogus: unknown key",
            }));
        });
    }

    [Test]
    public async Task A_missing_configuration_file_is_an_error()
    {
        using var dir = new TempDir();
        var (exit, stdout, stderr) = await RunServerAsync(dir.Path, "--config", "nope.toml", "--check");
        Assert.That((exit, stdout), Is.EqualTo((1, string.Empty)));
        Assert.That(stderr, Does.StartWith("nope.toml:0: (file): configuration file not found"));
    }

    [Test]
    public async Task Without_a_file_the_built_in_defaults_check_ok()
    {
        using var dir = new TempDir();
        var (exit, stdout, _) = await RunServerAsync(dir.Path, "--check");
        Assert.That((exit, stdout), Is.EqualTo((0, "ok\n")));
    }

    [Test]
    public async Task The_shipped_appsettings_toml_checks_ok()
    {
        var repo = RepositoryRoot();
        var (exit, stdout, stderr) = await RunServerAsync(repo, "--config", Path.Combine(repo, "appsettings.toml"), "--check");
        Assert.That((exit, stdout, stderr), Is.EqualTo((0, "ok\n", string.Empty)));
    }

    [Test]
    public async Task An_unknown_argument_is_a_usage_error()
    {
        using var dir = new TempDir();
        var (exit, _, stderr) = await RunServerAsync(dir.Path, "--frobnicate");
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.StartWith("error: unknown argument '--frobnicate'"));
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sluice.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("repository root (Sluice.slnx) not found above " + AppContext.BaseDirectory);
    }
}
