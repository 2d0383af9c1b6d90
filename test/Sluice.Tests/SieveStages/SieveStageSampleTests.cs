using Sluice.Tests.Configuration;
using Sluice.Tests.Session;
using Sluice.Tests.Support;

namespace Sluice.Tests.SieveStages;

/// <summary>samples/SieveScripts: the greylisting and blocklist scripts against the memory directory, as shipped.</summary>
public class SieveStageSampleTests
{
    private static string SampleDir => Path.Combine(CheckCommandTests.RepositoryRoot(), "samples", "SieveScripts");

    /// <summary>The sample configuration on 127.0.0.1 port 0 with a fresh queue; <paramref name="edit"/> may change it.</summary>
    private static Task<RunningServer> StartSampleAsync(Func<string, string>? edit = null)
    {
        var toml = File.ReadAllText(Path.Combine(SampleDir, "sluice.toml"))
            .Replace("file://", "file://" + SampleDir.Replace('\\', '/') + "/", StringComparison.Ordinal)
            .Replace("bind = \"127.0.0.1:2525\"", "bind = \"127.0.0.1:0\"", StringComparison.Ordinal)
            .Replace("errors.wait = \"1s\"", "errors.wait = 0", StringComparison.Ordinal)
            + "\n[queue]\npath = \"{queue}\"\nmin-free-space = \"1mb\"\n";
        return RunningServer.StartAsync(edit is null ? toml : edit(toml));
    }

    private static async Task<RawSmtpClient> ConnectAsync(RunningServer server)
    {
        var client = await RawSmtpClient.ConnectAsync(server.EndPoint("smtp"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("220 "));
        Assert.That(await client.CommandAsync("EHLO client.example"), Does.StartWith("250"));
        return client;
    }

    [Test]
    public async Task The_sample_configuration_checks_ok()
    {
        var sample = Path.Combine(SampleDir, "sluice.toml");
        var (exit, stdout, stderr) = await CheckCommandTests.RunServerAsync(SampleDir, "--config", sample, "--check");
        Assert.That((exit, stdout, stderr), Is.EqualTo((0, "ok\n", string.Empty)));
    }

    [Test]
    public async Task Blocklist_refuses_listed_senders_and_domains()
    {
        await using var server = await StartSampleAsync();
        await using var client = await ConnectAsync(server);
        Assert.That(await client.CommandAsync("MAIL FROM:<spammer@example.net>"), Is.EqualTo("550 5.7.1 Sender spammer@example.net is blocked here"));
        Assert.That(await client.CommandAsync("MAIL FROM:<anyone@JUNK.example>"), Is.EqualTo("550 5.7.1 Sender anyone@JUNK.example is blocked here"));
        Assert.That(await client.CommandAsync("MAIL FROM:<friend@example.net>"), Does.StartWith("250 2.1.0"));
    }

    [Test]
    public async Task Blocklist_refuses_a_listed_client_address()
    {
        await using var server = await StartSampleAsync(t => t.Replace("blocked-ips = [", "blocked-ips = [\"127.0.0.0/8\", ", StringComparison.Ordinal));
        await using var client = await ConnectAsync(server);
        Assert.That(await client.CommandAsync("MAIL FROM:<friend@example.net>"), Is.EqualTo("550 5.7.1 127.0.0.1 is blocked here"));
    }

    [Test]
    public async Task Greylisting_refuses_the_first_attempt_accepts_the_retry_and_exempts_listed_clients()
    {
        await using (var server = await StartSampleAsync())
        {
            await using var client = await ConnectAsync(server);
            Assert.That(await client.CommandAsync("MAIL FROM:<friend@example.net>"), Does.StartWith("250 2.1.0"));
            Assert.That(await client.CommandAsync("RCPT TO:<jane@example.org>"), Is.EqualTo("451 4.7.1 Greylisted: please try again later"));
            Assert.That(await client.CommandAsync("RCPT TO:<jane@example.org>"), Does.StartWith("250 2.1.5"));
        }
        await using (var exempt = await StartSampleAsync(t => t.Replace("greylist-exempt = [", "greylist-exempt = [\"127.0.0.1\", ", StringComparison.Ordinal)))
        {
            await using var client = await ConnectAsync(exempt);
            Assert.That(await client.CommandAsync("MAIL FROM:<friend@example.net>"), Does.StartWith("250 2.1.0"));
            Assert.That(await client.CommandAsync("RCPT TO:<jane@example.org>"), Does.StartWith("250 2.1.5"));
        }
    }
}
