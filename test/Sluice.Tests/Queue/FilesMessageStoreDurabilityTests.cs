using Sluice.Queue;

namespace Sluice.Tests.Queue;

/// <summary>
/// The durability order of the files store, proven through a recording file layer (a kill -9 test
/// alone passes even without any fsync: the page cache survives it), and injected I/O failures at
/// every step (CI runs as root, so chmod cannot make the directory read-only).
/// </summary>
[TestFixture]
public sealed class FilesMessageStoreDurabilityTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public async Task With_fsync_every_step_is_on_disk_in_order_before_commit_returns()
    {
        var fileSystem = new RecordingFileSystem();
        var store = new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path, Fsync = true }, fileSystem);

        var id = await StoreOneAsync(store, fileSystem);

        string[] expected =
        [
            "create ID.eml.tmp",
            "fsync ID.eml.tmp",     // the bytes are on disk ...
            "close ID.eml.tmp",
            "move ID.eml.tmp",      // ... before they get their name,
            "  -> ID.eml",
            "fsync-dir " + Path.GetFileName(_dir.Path), // and that name is durable before the .json can exist
            "create ID.json.tmp",
            "fsync ID.json.tmp",
            "close ID.json.tmp",
            "move ID.json.tmp",     // the .json is renamed last: now the message exists,
            "  -> ID.json",
            "fsync-dir " + Path.GetFileName(_dir.Path), // durably,
            "commit returned",      // and only then may the session answer 250.
        ];
        Assert.That(fileSystem.Events.Select(e => e.Replace(id, "ID", StringComparison.Ordinal)), Is.EqualTo(expected));
        Assert.That(_dir.FileNames(), Is.EqualTo(new[] { id + ".eml", id + ".json" }));
    }

    [Test]
    public async Task Without_fsync_buffers_still_reach_the_file_before_each_rename_but_nothing_is_forced()
    {
        var fileSystem = new RecordingFileSystem();
        var store = new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path, Fsync = false }, fileSystem);

        var id = await StoreOneAsync(store, fileSystem);

        string[] expected =
        [
            "create ID.eml.tmp",
            "flush ID.eml.tmp",
            "close ID.eml.tmp",
            "move ID.eml.tmp",
            "  -> ID.eml",
            "create ID.json.tmp",
            "flush ID.json.tmp",
            "close ID.json.tmp",
            "move ID.json.tmp",
            "  -> ID.json",
            "commit returned",
        ];
        Assert.That(fileSystem.Events.Select(e => e.Replace(id, "ID", StringComparison.Ordinal)), Is.EqualTo(expected));
    }

    /// <summary>Every step of a commit that can fail, as (step, file name suffix, occurrence).</summary>
    private static readonly object[] CommitSteps =
    [
        new object[] { "write", ".eml.tmp", 1 },
        new object[] { "write", ".eml.tmp", 3 },
        new object[] { "fsync", ".eml.tmp", 1 },
        new object[] { "close", ".eml.tmp", 1 },
        new object[] { "move", ".eml.tmp", 1 },
        new object[] { "fsync-dir", "", 1 },
        new object[] { "create", ".json.tmp", 1 },
        new object[] { "write", ".json.tmp", 1 },
        new object[] { "fsync", ".json.tmp", 1 },
        new object[] { "close", ".json.tmp", 1 },
        new object[] { "move", ".json.tmp", 1 },
        new object[] { "fsync-dir", "", 2 },
    ];

    [TestCaseSource(nameof(CommitSteps))]
    public async Task A_failure_at_any_step_throws_MessageStoreException_and_leaves_nothing(string step, string suffix, int occurrence)
    {
        var fileSystem = new RecordingFileSystem();
        fileSystem.FailAt(step, suffix, occurrence);
        var store = new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path }, fileSystem);

        MessageStoreException? caught = null;
        await using (var tx = await store.BeginAsync(CancellationToken.None))
        {
            try
            {
                for (var i = 0; i < 5; i++)
                {
                    await tx.WriteAsync(new byte[1000], CancellationToken.None);
                }

                await tx.CommitAsync(FilesMessageStoreTests.Envelope(), CancellationToken.None);
            }
            catch (MessageStoreException ex)
            {
                caught = ex;
            }

            Assert.That(caught, Is.Not.Null, "the injected failure surfaces as MessageStoreException");
            Assert.That(caught!.InnerException, Is.InstanceOf<IOException>());
            Assert.That(_dir.FileNames(), Is.Empty, "no .json, no .eml, no temporaries right after the failure");

            // The transaction stays failed: the session answers 452 4.3.1, never 250.
            Assert.ThrowsAsync<MessageStoreException>(async () => await tx.WriteAsync(new byte[1], CancellationToken.None));
            Assert.ThrowsAsync<MessageStoreException>(async () => await tx.CommitAsync(FilesMessageStoreTests.Envelope(), CancellationToken.None));
        }

        Assert.That(_dir.FileNames(), Is.Empty);
        if (step == "fsync-dir" && occurrence == 2)
        {
            // The .json had become visible: it is deleted before the .eml, so no half message shows meanwhile.
            var deletes = fileSystem.Events.Where(e => e.StartsWith("delete", StringComparison.Ordinal)).ToList();
            Assert.That(deletes, Has.Count.EqualTo(2));
            Assert.That(deletes[0], Does.EndWith(".json"));
            Assert.That(deletes[1], Does.EndWith(".eml"));
        }
    }

    [Test]
    public async Task A_failure_to_create_the_data_file_fails_begin_with_MessageStoreException()
    {
        var fileSystem = new RecordingFileSystem();
        fileSystem.FailAt("create", ".eml.tmp");
        var store = new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path }, fileSystem);

        var ex = Assert.ThrowsAsync<MessageStoreException>(async () => await store.BeginAsync(CancellationToken.None));
        Assert.That(ex!.InnerException, Is.InstanceOf<IOException>());
        Assert.That(_dir.FileNames(), Is.Empty);

        // The failure was transient: the next message is stored.
        await using var tx = await store.BeginAsync(CancellationToken.None);
        await tx.CommitAsync(FilesMessageStoreTests.Envelope(), CancellationToken.None);
        Assert.That(_dir.FileNames(), Has.Length.EqualTo(2));
    }

    [Test]
    public async Task A_failed_message_does_not_disturb_others_in_flight()
    {
        var fileSystem = new RecordingFileSystem();
        var store = new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path }, fileSystem);
        await using var good = await store.BeginAsync(CancellationToken.None);
        await using var bad = await store.BeginAsync(CancellationToken.None);
        await good.WriteAsync("good"u8.ToArray(), CancellationToken.None);
        fileSystem.FailAt("write", bad.Id + ".eml.tmp");

        Assert.ThrowsAsync<MessageStoreException>(async () => await bad.WriteAsync("bad"u8.ToArray(), CancellationToken.None));
        await good.CommitAsync(FilesMessageStoreTests.Envelope(), CancellationToken.None);

        Assert.That(_dir.FileNames(), Is.EqualTo(new[] { good.Id + ".eml", good.Id + ".json" }));
    }

    private static async Task<string> StoreOneAsync(FilesMessageStore store, RecordingFileSystem fileSystem)
    {
        await using var tx = await store.BeginAsync(CancellationToken.None);
        await tx.WriteAsync("Received: by test\r\n"u8.ToArray(), CancellationToken.None);
        await tx.WriteAsync("Subject: hi\r\n\r\nbody\r\n"u8.ToArray(), CancellationToken.None);
        await tx.CommitAsync(FilesMessageStoreTests.Envelope(), CancellationToken.None);
        fileSystem.Mark("commit returned");
        return tx.Id;
    }
}
