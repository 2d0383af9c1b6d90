using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Sluice.Tests.Support;

namespace Sluice.Tests.Session;

/// <summary>Tried as a new user would: swaks and curl (Debian packages; <c>.ci/run</c> installs them) get 250 and the message is stored.</summary>
[Parallelizable(ParallelScope.Children)]
public class RealPeerTests
{
    private static async Task<(int ExitCode, string Output)> RunAsync(string tool, params string[] arguments)
    {
        var path = Environment.GetEnvironmentVariable("PATH")?.Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);
        if (path is null)
        {
            Assert.Fail($"'{tool}' is not installed (Debian package '{tool}'; .ci/run installs it): this test needs the real program.");
        }
        var start = new ProcessStartInfo(path!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{tool} did not finish within 30 s");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    [Test]
    public async Task Swaks_gets_250_and_the_message_is_stored()
    {
        await using var server = await SessionServer.StartAsync();
        var (exit, output) = await RunAsync("swaks", "--to", "a@b.example", "--server", $"127.0.0.1:{server.EndPoint.Port}");
        Assert.That(exit, Is.EqualTo(0), output);
        var match = Regex.Match(output, @"<[-~]  250 2\.0\.0 .* (?<id>[A-Za-z0-9_-]+)\r?\n");
        Assert.That(match.Success, Is.True, "swaks saw 250 2.0.0 with an id:\n" + output);
        var id = match.Groups["id"].Value;
        var json = server.Json(id);
        Assert.That(json.GetProperty("to")[0].GetProperty("address").GetString(), Is.EqualTo("a@b.example"));
        Assert.That(Encoding.UTF8.GetString(server.Eml(id)), Does.Contain("\r\nSubject: test "));
    }

    [Test]
    public async Task Curl_uploads_a_file_that_is_stored_byte_for_byte()
    {
        await using var server = await SessionServer.StartAsync();
        using var dir = new TempDir();
        var message = "From: a@client.example\r\nTo: b@mx.test.example\r\nSubject: from curl\r\nMessage-ID: <curl@client.example>\r\nDate: Fri, 04 Dec 2026 12:00:00 +0000\r\n\r\n"
            + "line one\r\n.a line with a leading dot\r\n.\r\n..\r\nlast line\r\n";
        var file = dir.File("msg.eml", message);
        var (exit, output) = await RunAsync("curl", "-sS", "-v", $"smtp://127.0.0.1:{server.EndPoint.Port}/client.example",
            "--mail-from", "a@client.example", "--mail-rcpt", "b@mx.test.example", "-T", file);
        Assert.That(exit, Is.EqualTo(0), output);
        var match = Regex.Match(output, @"< 250 2\.0\.0 .* (?<id>[A-Za-z0-9_-]+)\r?\n");
        Assert.That(match.Success, Is.True, "curl saw 250 2.0.0 with an id:\n" + output);
        var id = match.Groups["id"].Value;
        var eml = server.Eml(id);
        var expected = Encoding.UTF8.GetBytes(message);
        Assert.That(eml.AsSpan(eml.Length - expected.Length).SequenceEqual(expected), Is.True,
            "the stored message ends with the file curl sent:\n" + Encoding.UTF8.GetString(eml));
        Assert.That(Encoding.UTF8.GetString(eml, 0, eml.Length - expected.Length), Does.StartWith("Return-Path: <a@client.example>\r\nReceived: from client.example "));
    }
}
