using System.Text.Json;
using Sluice.Tests.Support;

namespace Sluice.Tests.Surface;

/// <summary>Transcript helpers: one command, its whole reply.</summary>
internal static class SurfaceSupport
{
    /// <summary>A directory like the one of SPEC §2.7, as Stalwart's documentation writes it.</summary>
    public const string Directory = """
        [directory."local"]
        type = "memory"
        domains = ["example.org"]
        [[directory."local".users]]
        name = "jane"
        secret = "jane-password"
        email = ["jane@example.org", "jane.doe@example.org"]
        email-list = ["info@example.org"]
        [[directory."local".users]]
        name = "bob"
        secret = "bob-password"
        email = ["bob@example.org"]
        email-list = ["info@example.org"]
        """;

    /// <summary>Connects and reads the greeting.</summary>
    public static async Task<LineClient> ConnectAsync(RunningServer server, string listener = "smtp")
    {
        var client = await LineClient.ConnectAsync(server.EndPoint(listener));
        var greeting = await client.ReadReplyAsync();
        Assert.That(greeting[^1], Does.StartWith("220 "));
        return client;
    }

    /// <summary>Sends one command line and returns its reply, lines joined with '\n'.</summary>
    public static async Task<string> SayAsync(this LineClient client, string command)
    {
        await client.SendAsync(command + "\r\n");
        return string.Join("\n", await client.ReadReplyAsync());
    }

    /// <summary>Sends a small message body after DATA's 354 and returns the final reply.</summary>
    public static async Task<string> SendMessageAsync(this LineClient client)
    {
        Assert.That(await client.SayAsync("DATA"), Does.StartWith("354"));
        return await client.SayAsync("Subject: test\r\n\r\nHello\r\n.");
    }

    /// <summary>The envelopes (<c>.json</c>) in the server's queue.</summary>
    public static List<JsonElement> Envelopes(RunningServer server)
    {
        var dir = System.IO.Path.Combine(server.Directory, "queue");
        var files = System.IO.Directory.Exists(dir) ? System.IO.Directory.GetFiles(dir, "*.json", SearchOption.AllDirectories) : [];
        return [.. files.Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement.Clone())];
    }

    public static string[] Recipients(JsonElement envelope) =>
        [.. envelope.GetProperty("to").EnumerateArray().Select(r => r.GetProperty("address").GetString()!)];
}
