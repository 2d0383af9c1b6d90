using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Sluice.Queue;
using Sluice.Tests.Configuration;
using Sluice.Tests.Support;

namespace Sluice.Tests.Durability;

/// <summary>kill -9 right after a 250: the acknowledged message is in the queue, whole.</summary>
public partial class KillTests
{
    [Test]
    public async Task A_message_acknowledged_before_a_kill_9_is_whole_after_it()
    {
        using var dir = new TempDir();
        var queue = Path.Combine(dir.Path, "queue");
        var config = dir.File("sluice.toml", $"""
            [server]
            hostname = "mx.test.example"
            [server.listener.smtp]
            bind = "127.0.0.1:0"
            [server.listener.http]
            bind = "127.0.0.1:0"
            protocol = "http"
            [queue]
            type = "files"
            path = "{queue}"
            min-free-space = 1
            """);

        var body = string.Concat(Enumerable.Range(0, 2000).Select(i => $"line {i} of a message that must survive\r\n"));
        for (var round = 0; round < 2; round++)
        {
            using var server = StartServer(config, dir.Path);
            try
            {
                var endPoint = await ReadSmtpEndPointAsync(server);
                await using var client = await LineClient.ConnectAsync(endPoint);
                await StoreDurabilityTests.SendEnvelopeAsync(client);
                await client.SendAsync($"Subject: round {round}\r\n\r\n{body}.\r\n");
                var reply = await client.ReadLineAsync();
                server.Kill(entireProcessTree: true); // SIGKILL, the moment the 250 is in
                Assert.That(reply, Does.StartWith("250 2.0.0"));
                var id = reply!.Split(' ')[^1];

                var eml = await File.ReadAllBytesAsync(Path.Combine(queue, id + ".eml"));
                var json = EnvelopeJson.Read(await File.ReadAllBytesAsync(Path.Combine(queue, id + ".json")));
                Assert.That(json.Size, Is.EqualTo(eml.Length));
                Assert.That(Encoding.ASCII.GetString(eml), Does.EndWith($"Subject: round {round}\r\n\r\n{body}"));
                Assert.That(json.To.Select(t => t.Address), Is.EqualTo(new[] { "c@d.example" }));
            }
            finally
            {
                if (!server.HasExited)
                {
                    server.Kill(entireProcessTree: true);
                }
                await server.WaitForExitAsync();
            }
        }
        Assert.That(Directory.GetFiles(queue, "*.json"), Has.Length.EqualTo(2));
    }

    private static Process StartServer(string config, string workingDirectory)
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
        return Process.Start(start)!;
    }

    private static async Task<IPEndPoint> ReadSmtpEndPointAsync(Process server)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 100; i++)
        {
            var line = await server.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException("server exited: " + await server.StandardError.ReadToEndAsync());
            var match = ListeningSmtp().Match(line);
            if (match.Success)
            {
                return IPEndPoint.Parse(match.Groups[1].Value);
            }
        }
        throw new InvalidOperationException("no 'listening: smtp' line");
    }

    [GeneratedRegex(@"^listening: smtp smtp (\S+)$")]
    private static partial Regex ListeningSmtp();
}
