using System.Text;
using Sluice.Queue;
using Sluice.Queue.Log;
using Sluice.Server;
using Sluice.Tests.Configuration;

namespace Sluice.Tests.Queue;

/// <summary><c>Sluice.Server queue list|show|export</c> (SPEC §2.9), run as the real executable on each store.</summary>
[TestFixture]
public sealed class QueueCliTests
{
    [Test]
    public void The_queue_verbs_parse_and_keep_config_and_overrides()
    {
        var list = ServerCommandLine.Parse(["queue", "list", "--config", "s.toml", "--queue:type=files"]);
        Assert.That((list.Verb, list.Queue?.Action, list.ConfigPath, list.Error), Is.EqualTo((ServerVerb.Queue, (QueueAction?)QueueAction.List, "s.toml", (string?)null)));
        Assert.That(list.Overrides, Is.EqualTo(new[] { "--queue:type=files" }));

        var show = ServerCommandLine.Parse(["queue", "show", "ABC", "--config", "s.toml"]);
        Assert.That((show.Queue?.Action, show.Queue?.Id), Is.EqualTo(((QueueAction?)QueueAction.Show, "ABC")));

        var export = ServerCommandLine.Parse(["queue", "export", "--config", "s.toml", "--dir", "/out"]);
        Assert.That((export.Queue?.Action, export.Queue?.Directory), Is.EqualTo(((QueueAction?)QueueAction.Export, "/out")));

        Assert.That(ServerCommandLine.Parse(["queue", "export"]).Error, Does.Contain("--dir"));
        Assert.That(ServerCommandLine.Parse(["queue", "show"]).Error, Is.Not.Null);
        Assert.That(ServerCommandLine.Parse(["queue", "drop"]).Error, Is.Not.Null);
        Assert.That(ServerCommandLine.Parse(["queue", "list", "--check"]).Error, Is.Not.Null);
    }

    [TestCase("log")]
    [TestCase("files")]
    public async Task List_show_and_export_print_the_spec_formats(string type)
    {
        using var dir = new TempDirectory();
        var queue = Path.Combine(dir.Path, "queue");
        var config = Path.Combine(dir.Path, "sluice.toml");
        await File.WriteAllTextAsync(config, $"[queue]\ntype = \"{type}\"\npath = \"{queue}\"\n");
        IMessageStore store = type == "log"
            ? new LogMessageStore(new LogMessageStoreOptions { Path = queue })
            : new FilesMessageStore(new FilesMessageStoreOptions { Path = queue });
        var content = "Received: by mx\r\nSubject: cli\r\n\r\nbody\r\n"u8.ToArray();
        var (first, firstStored) = await MessageStoreContractTests.StoreAsync(store, content, MessageStoreContractTests.Envelope("", null, "x@a.example", "y@b.example"));
        var (second, secondStored) = await MessageStoreContractTests.StoreAsync(store, content);
        (store as IDisposable)?.Dispose();

        var (code, stdout, stderr) = await CheckCommandTests.RunServerAsync(dir.Path, "queue", "list", "--config", config);
        Assert.That((code, stderr), Is.EqualTo((0, "")));
        string[] lines =
        [
            $"{first}\t2026-12-04T22:00:00Z\t<>\tx@a.example,y@b.example\t{content.Length}\tqueued\n",
            $"{second}\t2026-12-04T22:00:00Z\ts@example.org\tr@example.com\t{content.Length}\tqueued\n",
        ];

        // The log lists in commit order; the files store in id order (ids of one millisecond differ in their random part).
        Assert.That(stdout, Is.EqualTo(string.Concat(type == "log" ? lines : lines.Order(StringComparer.Ordinal))));

        (code, stdout, _) = await CheckCommandTests.RunServerAsync(dir.Path, "queue", "show", second, "--config", config);
        Assert.That(code, Is.Zero);
        Assert.That(stdout, Is.EqualTo(Encoding.UTF8.GetString(EnvelopeJson.ToUtf8Bytes(secondStored)) + "\nReceived: by mx\r\nSubject: cli\r\n"));

        (code, _, stderr) = await CheckCommandTests.RunServerAsync(dir.Path, "queue", "show", "NOSUCHID", "--config", config);
        Assert.That((code, stderr), Is.EqualTo((1, "error: no message NOSUCHID in the queue\n")));

        var target = Path.Combine(dir.Path, "export");
        (code, _, _) = await CheckCommandTests.RunServerAsync(dir.Path, "queue", "export", "--config", config, "--dir", target);
        Assert.That(code, Is.Zero);
        Assert.That(Directory.GetFiles(target).Select(Path.GetFileName).Order(StringComparer.Ordinal),
            Is.EqualTo(new[] { first + ".eml", first + ".json", second + ".eml", second + ".json" }.Order(StringComparer.Ordinal)));
        Assert.That(File.ReadAllBytes(Path.Combine(target, first + ".eml")), Is.EqualTo(content));
        Assert.That(File.ReadAllBytes(Path.Combine(target, first + ".json")), Is.EqualTo(EnvelopeJson.ToUtf8Bytes(firstStored)));
    }
}
