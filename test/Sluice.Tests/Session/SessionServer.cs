using System.Text;
using System.Text.Json;
using Sluice.Tests.Support;

namespace Sluice.Tests.Session;

/// <summary>The real server plus what a session test needs: its SMTP endpoint and the stored messages in its queue directory.</summary>
public sealed class SessionServer : IAsyncDisposable
{
    private SessionServer(RunningServer server) => Server = server;

    public RunningServer Server { get; }

    public string QueueDirectory => Server.Settings.Queue.Path;

    public System.Net.IPEndPoint EndPoint => Server.EndPoint("smtp");

    public static async Task<SessionServer> StartAsync(string extraToml = "") =>
        new(await RunningServer.StartAsync(RunningServer.MinimalToml(extraToml)));

    /// <summary>A connected client that has read the greeting and said EHLO.</summary>
    public async Task<RawSmtpClient> ConnectAsync(string? ehlo = "EHLO client.example")
    {
        var client = await RawSmtpClient.ConnectAsync(EndPoint);
        Assert.That(await client.ReadLineAsync(), Does.StartWith("220 "));
        if (ehlo is not null)
        {
            var reply = await client.CommandAsync(ehlo);
            Assert.That(reply, Does.StartWith("250"));
        }
        return client;
    }

    /// <summary>The queue id: the last word of a <c>250 2.0.0</c> reply (a final <c>.</c> is not part of it).</summary>
    public static string IdOf(string reply)
    {
        Assert.That(reply, Does.StartWith("250 2.0.0 "));
        var id = reply[(reply.LastIndexOf(' ') + 1)..].TrimEnd('.');
        Assert.That(id, Does.Match("^[A-Za-z0-9_-]{1,64}$"));
        return id;
    }

    public string EmlPath(string id) => Path.Combine(QueueDirectory, id + ".eml");

    public byte[] Eml(string id) => File.ReadAllBytes(EmlPath(id));

    public JsonElement Json(string id)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(QueueDirectory, id + ".json")));
        return doc.RootElement.Clone();
    }

    /// <summary>The names of every file in the queue directory (temporaries included).</summary>
    public IReadOnlyList<string> QueueFiles() =>
        Directory.Exists(QueueDirectory)
            ? [.. Directory.EnumerateFiles(QueueDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!]
            : [];

    /// <summary>Sends a whole DATA transaction: <paramref name="wireData"/> must end with CRLF; the helper adds <c>.</c> CRLF. Returns the final reply line.</summary>
    public static async Task<string> SendDataAsync(RawSmtpClient client, string from, IEnumerable<string> to, byte[] wireData, string mailParameters = "")
    {
        Assert.That(await client.CommandAsync($"MAIL FROM:<{from}>{mailParameters}"), Does.StartWith("250 2.1.0"));
        foreach (var rcpt in to)
        {
            Assert.That(await client.CommandAsync($"RCPT TO:<{rcpt}>"), Does.StartWith("250 2.1.5"));
        }
        Assert.That(await client.CommandAsync("DATA"), Does.StartWith("354"));
        await client.SendAsync(wireData);
        Assert.That(wireData.AsSpan().EndsWith("\r\n"u8), "the data must end with CRLF");
        await client.SendAsync(".\r\n"u8.ToArray());
        return (await client.ReadReplyAsync())[^1];
    }

    public static string Ascii(byte[] bytes) => Encoding.Latin1.GetString(bytes);

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
