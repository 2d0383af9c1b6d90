using System.Diagnostics;

namespace Sluice.Sieve.Tests.Unit;

/// <summary>
/// The sluice-sieve tool, run as a process the way an administrator runs it: on the samples kept in
/// Samples/ and on scripts and messages the tests write.
/// </summary>
public sealed class CliTests
{
    private static readonly string Samples = Path.Combine(AppContext.BaseDirectory, "Samples");

    private sealed record Outcome(int ExitCode, string Output, string Errors);

    private static Outcome Cli(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Samples,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "sluice-sieve.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("sluice-sieve did not finish within 60 s");
        }
        return new Outcome(process.ExitCode, output.Result, errors.Result);
    }

    [Test]
    public void CheckReportsEveryErrorWithLineAndColumn()
    {
        Outcome o = Cli("check", "broken.sieve");
        Assert.That(o.ExitCode, Is.EqualTo(1));
        Assert.That(o.Errors, Does.Contain("broken.sieve:3:28: error: invalid regular expression '([a-z]+'"));
        Assert.That(o.Errors, Does.Contain("broken.sieve:7:11: error: unknown tagged argument ':frobnicate'"));
        Assert.That(o.Errors, Does.Contain("broken.sieve:11:1: error: the fileinto command requires 1 positional argument(s)"));
        Assert.That(o.Errors, Does.Contain("4 error(s)"));
    }

    [Test]
    public void CheckAcceptsAGoodScript()
    {
        Outcome o = Cli("check", "filter.sieve", "--personal-dir", "included");
        Assert.That(o.ExitCode, Is.EqualTo(0), o.Errors);
        Assert.That(o.Output, Does.Contain("filter.sieve: OK"));
    }

    [Test]
    public void RunPrintsTheActionsAndTheEditedMessage()
    {
        Outcome o = Cli("run", "filter.sieve", "--personal-dir", "included", "--message", "list.eml", "--from", "alice@example.org", "--to", "team@example.net");
        Assert.That(o.ExitCode, Is.EqualTo(0), o.Errors);
        Assert.That(o.Output, Does.Contain("status: Completed"));
        Assert.That(o.Output, Does.Contain("fileinto \"Lists.sluice-dev\" (edited message)"));
        Assert.That(o.Output, Does.Contain("edited message:"));
        Assert.That(o.Output, Does.Contain("X-Sluice-List: sluice-dev"));
        Assert.That(o.Output, Does.Contain("The notes are attached."));
    }

    [Test]
    public void RunOnAMimeMessageWritesTheEditedMessage()
    {
        string output = Path.Combine(Path.GetTempPath(), $"sluice-sieve-{Guid.NewGuid():N}.eml");
        try
        {
            Outcome o = Cli("run", "filter.sieve", "--personal-dir", "included", "--message", "spam.eml", "--from", "x@spam.example", "--to", "victim@example.net", "--output", output);
            Assert.That(o.ExitCode, Is.EqualTo(0), o.Errors);
            Assert.That(o.Output, Does.Contain("fileinto \"Junk\""));
            string edited = File.ReadAllText(output);
            Assert.That(edited, Does.StartWith("X-Sluice-Verdict: spam\r\n"));
            Assert.That(edited, Does.Not.Contain("X-Spam-Flag"));
            Assert.That(edited, Does.Contain("Make money fast!"));
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Test]
    public void RunReportsARuntimeErrorAndTheImplicitKeep()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"sluice-sieve-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string script = Path.Combine(dir, "loop.sieve");
            File.WriteAllText(script, "require [\"variables\", \"regex\"];\nset \"a\" \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\";\nif string :regex \"${a}\" \"^(a|aa)+$\" { discard; }\n");
            string message = Path.Combine(dir, "m.eml");
            File.WriteAllText(message, "Subject: x\r\n\r\nbody\r\n");
            Outcome o = Cli("run", script, "--message", message);
            Assert.That(o.ExitCode, Is.EqualTo(2));
            Assert.That(o.Errors, Does.Contain("loop.sieve:3:4: runtime error: a regular expression took longer than"));
            Assert.That(o.Output, Does.Contain("keep (implicit)"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void BadCommandLinesGetTheUsage()
    {
        Outcome o = Cli("run", "filter.sieve");
        Assert.That(o.ExitCode, Is.EqualTo(64));
        Assert.That(o.Errors, Does.Contain("run needs --message"));
        Assert.That(o.Errors, Does.Contain("usage:"));
        Assert.That(Cli("frobnicate", "x").Errors, Does.Contain("unknown command 'frobnicate'"));
    }
}
