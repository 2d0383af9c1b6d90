using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Queue;
using Sluice.Tests.Queue;
using Sluice.Tests.Support;

namespace Sluice.Tests.Durability;

/// <summary>
/// The 250 after DATA is sent only once the message is durable, and a store that fails gets the
/// client a 452 4.3.1 with nothing half-stored. kill -9 keeps the page cache, so the flushes are
/// proven through an injected file layer (TRAPS.md), beside the kill -9 test.
/// </summary>
public class StoreDurabilityTests
{
    private const string Message = "Subject: durable\r\n\r\nbody\r\n";

    [Test]
    public async Task The_250_is_sent_only_after_the_data_fsync_the_renames_and_the_directory_fsync()
    {
        using var files = new GatedFileSystem();
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml(), Replace(files), "--queue:type=files");
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        await SendEnvelopeAsync(client);
        await client.SendAsync(Message + ".\r\n");

        // The server is now inside the commit, held at the final directory fsync: no reply may have gone out.
        Assert.That(await files.ReachedGate.WaitAsync(TimeSpan.FromSeconds(10)), Is.True, "the commit should reach the directory fsync");
        var early = client.ReadLineAsync();
        Assert.That(await Task.WhenAny(early, Task.Delay(300)), Is.Not.SameAs(early), "no reply before the commit is durable");
        files.Release();

        var reply = await early;
        Assert.That(reply, Does.Match(@"^250 2\.0\.0 .* [A-Za-z0-9_-]{1,64}$"));
        files.Inner.Mark("client received 250");
        var id = reply!.Split(' ')[^1];
        var events = files.Inner.Events;
        Assert.That(events, Is.EqualTo(new[]
        {
            $"create {id}.eml.tmp",
            $"fsync {id}.eml.tmp",
            $"close {id}.eml.tmp",
            $"move {id}.eml.tmp",
            $"  -> {id}.eml",
            "fsync-dir queue",
            $"create {id}.json.tmp",
            $"fsync {id}.json.tmp",
            $"close {id}.json.tmp",
            $"move {id}.json.tmp",
            $"  -> {id}.json",
            "fsync-dir queue",
            "client received 250",
        }));
    }

    [TestCase("write", ".eml.tmp")]
    [TestCase("fsync", ".eml.tmp")]
    [TestCase("move", ".json.tmp")]
    [TestCase("fsync-dir", "queue", 2)]
    public async Task A_store_failure_answers_452_4_3_1_and_leaves_nothing_visible(string step, string suffix, int occurrence = 1)
    {
        var files = new RecordingFileSystem();
        files.FailAt(step, suffix, occurrence);
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml(), Replace(files), "--queue:type=files");
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        await SendEnvelopeAsync(client);
        await client.SendAsync(Message + ".\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("452 4.3.1"));

        var queue = Path.Combine(server.Directory, "queue");
        Assert.That(Directory.Exists(queue) ? Directory.GetFiles(queue) : [], Is.Empty);

        // The session goes on, and the next message is stored.
        files.FailAt("none", "none");
        await client.SendAsync("MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 "));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 "));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("354 "));
        await client.SendAsync(Message + ".\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.0.0"));
        Assert.That(Directory.GetFiles(queue, "*.json"), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task Below_min_free_space_DATA_is_refused_with_452_4_3_1()
    {
        var files = new RecordingFileSystem { FreeSpace = 1024 };
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml(), Replace(files), "--queue:type=files");
        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        await client.ReadLineAsync();
        await client.SendAsync("EHLO c.example\r\n");
        await client.ReadReplyAsync();
        await client.SendAsync("MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 "));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 "));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("452 4.3.1"));
    }

    internal static async Task SendEnvelopeAsync(LineClient client)
    {
        Assert.That(await client.ReadLineAsync(), Does.StartWith("220 "));
        await client.SendAsync("EHLO client.example\r\n");
        Assert.That((await client.ReadReplyAsync())[^1], Does.StartWith("250 "));
        await client.SendAsync("MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.1.0"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.1.5"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("354 "));
    }

    /// <summary>Registered after AddSluice, so it wins over the real file layer.</summary>
    private static Action<WebApplicationBuilder> Replace(IQueueFileSystem files) =>
        builder => builder.Services.AddSingleton(files);

    /// <summary>The recording layer, holding the second directory fsync (the one after the .json rename) until released.</summary>
    private sealed class GatedFileSystem : IQueueFileSystem, IDisposable
    {
        private readonly SemaphoreSlim _release = new(0);
        private int _directoryFsyncs;

        public RecordingFileSystem Inner { get; } = new();

        public SemaphoreSlim ReachedGate { get; } = new(0);

        public void Release() => _release.Release();

        public void Dispose()
        {
            _release.Dispose();
            ReachedGate.Dispose();
        }

        public void FlushDirectory(string path)
        {
            Inner.FlushDirectory(path);
            if (Interlocked.Increment(ref _directoryFsyncs) == 2)
            {
                ReachedGate.Release();
                _release.Wait(TimeSpan.FromSeconds(30));
            }
        }

        public void CreateDirectory(string path) => Inner.CreateDirectory(path);

        public Stream CreateNew(string path) => Inner.CreateNew(path);

        public void Flush(Stream stream, bool flushToDisk) => Inner.Flush(stream, flushToDisk);

        public void Move(string source, string destination) => Inner.Move(source, destination);

        public void Delete(string path) => Inner.Delete(path);

        public bool FileExists(string path) => Inner.FileExists(path);

        public IEnumerable<string> EnumerateFiles(string directory) => Inner.EnumerateFiles(directory);

        public DateTime GetLastWriteTimeUtc(string path) => Inner.GetLastWriteTimeUtc(path);

        public long GetAvailableFreeSpace(string path) => Inner.GetAvailableFreeSpace(path);
    }
}
