using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Queue;

namespace Sluice.Tests.Queue;

[TestFixture]
public sealed class FilesMessageStoreTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    internal static MessageEnvelope Envelope(string from = "s@example.org") => new()
    {
        From = from,
        To = [new EnvelopeRecipient("r@example.com")],
        ReceivedAt = new DateTimeOffset(2026, 12, 4, 22, 0, 0, TimeSpan.Zero),
    };

    [Test]
    public async Task Commit_stores_the_bytes_written_and_the_envelope_with_id_and_size()
    {
        var store = new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path });
        var random = new Random(5321);
        var chunks = Enumerable.Range(0, 40).Select(i => RandomBytes(random, 1 + (i * 997 % 9000))).ToList();
        chunks.Insert(0, "Received: from x\r\n"u8.ToArray());
        chunks.Add("bare\rCR and bare\nLF\r\n.\r\n"u8.ToArray());
        var expected = chunks.SelectMany(c => c).ToArray();

        string id;
        MessageEnvelope stored;
        await using (var tx = await store.BeginAsync(CancellationToken.None))
        {
            id = tx.Id;
            foreach (var chunk in chunks)
            {
                await tx.WriteAsync(chunk, CancellationToken.None);
            }

            Assert.That(tx.Length, Is.EqualTo(expected.Length));
            stored = await tx.CommitAsync(Envelope(), CancellationToken.None);
        }

        Assert.That(_dir.FileNames(), Is.EqualTo(new[] { id + ".eml", id + ".json" }));
        Assert.That(await File.ReadAllBytesAsync(Path.Combine(_dir.Path, id + ".eml")), Is.EqualTo(expected));
        Assert.That(stored.Id, Is.EqualTo(id));
        Assert.That(stored.Size, Is.EqualTo(expected.Length));
        var json = await File.ReadAllBytesAsync(Path.Combine(_dir.Path, id + ".json"));
        Assert.That(json, Is.EqualTo(EnvelopeJson.ToUtf8Bytes(Envelope() with { Id = id, Size = expected.Length })));
        Assert.That(Encoding.UTF8.GetString(json), Does.Contain($"\"size\": {expected.Length},"));
    }

    [Test]
    public async Task An_empty_message_has_size_zero()
    {
        var store = new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path });
        await using var tx = await store.BeginAsync(CancellationToken.None);
        await tx.WriteAsync(ReadOnlyMemory<byte>.Empty, CancellationToken.None);
        var stored = await tx.CommitAsync(Envelope(""), CancellationToken.None);

        Assert.That(stored.Size, Is.Zero);
        Assert.That(new FileInfo(Path.Combine(_dir.Path, tx.Id + ".eml")).Length, Is.Zero);
        Assert.That(EnvelopeJson.Read(File.ReadAllBytes(Path.Combine(_dir.Path, tx.Id + ".json"))).From, Is.Empty);
    }

    [Test]
    public async Task The_id_is_known_before_data_and_nothing_is_visible_before_commit()
    {
        var store = new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path });
        await using var tx = await store.BeginAsync(CancellationToken.None);

        Assert.That(MessageId.IsValid(tx.Id), Is.True);
        await tx.WriteAsync("Subject: x\r\n\r\nbody\r\n"u8.ToArray(), CancellationToken.None);
        Assert.That(_dir.FileNames(), Is.EqualTo(new[] { tx.Id + ".eml.tmp" }));

        await tx.CommitAsync(Envelope(), CancellationToken.None);
        Assert.That(_dir.FileNames(), Is.EqualTo(new[] { tx.Id + ".eml", tx.Id + ".json" }));
    }

    [Test]
    public async Task Dispose_without_commit_aborts_and_removes_the_staged_data()
    {
        var store = new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path });
        var tx = await store.BeginAsync(CancellationToken.None);
        await tx.WriteAsync(new byte[100_000], CancellationToken.None);
        Assert.That(_dir.FileNames(), Has.Length.EqualTo(1));

        await tx.DisposeAsync();

        Assert.That(_dir.FileNames(), Is.Empty);
        Assert.ThrowsAsync<ObjectDisposedException>(async () => await tx.WriteAsync(new byte[1], CancellationToken.None));
    }

    [Test]
    public async Task Dispose_after_commit_keeps_the_message()
    {
        var store = new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path });
        var tx = await store.BeginAsync(CancellationToken.None);
        await tx.WriteAsync("x"u8.ToArray(), CancellationToken.None);
        await tx.CommitAsync(Envelope(), CancellationToken.None);
        await tx.DisposeAsync();

        Assert.That(_dir.FileNames(), Is.EqualTo(new[] { tx.Id + ".eml", tx.Id + ".json" }));
    }

    [Test]
    public async Task Commit_twice_or_write_after_commit_is_refused()
    {
        var store = new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path });
        await using var tx = await store.BeginAsync(CancellationToken.None);
        await tx.CommitAsync(Envelope(), CancellationToken.None);

        Assert.ThrowsAsync<InvalidOperationException>(async () => await tx.CommitAsync(Envelope(), CancellationToken.None));
        Assert.ThrowsAsync<InvalidOperationException>(async () => await tx.WriteAsync(new byte[1], CancellationToken.None));
    }

    [Test]
    public async Task An_invalid_envelope_is_an_argument_error_and_the_transaction_stays_usable()
    {
        var store = new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path });
        await using var tx = await store.BeginAsync(CancellationToken.None);
        await tx.WriteAsync("x"u8.ToArray(), CancellationToken.None);

        Assert.ThrowsAsync<ArgumentException>(async () => await tx.CommitAsync(Envelope() with { To = [] }, CancellationToken.None));
        Assert.ThrowsAsync<ArgumentException>(async () => await tx.CommitAsync(Envelope() with { Id = "OTHER" }, CancellationToken.None));
        Assert.That(_dir.FileNames(), Is.EqualTo(new[] { tx.Id + ".eml.tmp" }));

        var stored = await tx.CommitAsync(Envelope() with { Id = tx.Id }, CancellationToken.None);
        Assert.That(stored.Size, Is.EqualTo(1));
    }

    [Test]
    public async Task A_cancelled_write_fails_the_transaction_and_leaves_nothing()
    {
        var store = new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path });
        await using (var tx = await store.BeginAsync(CancellationToken.None))
        {
            await tx.WriteAsync("x"u8.ToArray(), CancellationToken.None);
            using var cancelled = new CancellationTokenSource();
            await cancelled.CancelAsync();

            Assert.CatchAsync<OperationCanceledException>(async () => await tx.WriteAsync(new byte[10], cancelled.Token));
            Assert.ThrowsAsync<MessageStoreException>(async () => await tx.CommitAsync(Envelope(), CancellationToken.None));
        }

        Assert.That(_dir.FileNames(), Is.Empty);
    }

    [Test]
    public async Task The_directory_is_created_when_missing()
    {
        var path = Path.Combine(_dir.Path, "nested", "queue");
        var store = new FilesMessageStore(new FilesMessageStoreOptions { Path = path });
        Assert.That(Directory.Exists(path), Is.False);

        await using var tx = await store.BeginAsync(CancellationToken.None);
        await tx.CommitAsync(Envelope(), CancellationToken.None);

        Assert.That(File.Exists(Path.Combine(path, tx.Id + ".json")), Is.True);
    }

    [Test]
    public async Task A_directory_removed_while_running_is_created_again_after_one_failure()
    {
        var path = Path.Combine(_dir.Path, "queue");
        var store = new FilesMessageStore(new FilesMessageStoreOptions { Path = path });
        store.Initialize();
        Directory.Delete(path);

        Assert.ThrowsAsync<MessageStoreException>(async () => await store.BeginAsync(CancellationToken.None));

        await using var tx = await store.BeginAsync(CancellationToken.None);
        await tx.CommitAsync(Envelope(), CancellationToken.None);
        Assert.That(File.Exists(Path.Combine(path, tx.Id + ".json")), Is.True);
    }

    [Test]
    public async Task Concurrent_transactions_on_two_store_instances_sharing_a_directory_all_land_intact()
    {
        // Two instances stand for two processes (replicas) on one volume: they share nothing but the directory.
        var stores = new[]
        {
            new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path }),
            new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path }),
        };

        const int perStore = 100;
        var tasks = Enumerable.Range(0, 2 * perStore).Select(i => Task.Run(async () =>
        {
            await using var tx = await stores[i % 2].BeginAsync(CancellationToken.None);
            var body = Encoding.ASCII.GetBytes($"Message {i}\r\n");
            await tx.WriteAsync(body, CancellationToken.None);
            await tx.WriteAsync(body, CancellationToken.None);
            await tx.CommitAsync(Envelope(), CancellationToken.None);
            return (tx.Id, i);
        })).ToList();
        var results = await Task.WhenAll(tasks);

        Assert.That(results.Select(r => r.Id).Distinct().Count(), Is.EqualTo(2 * perStore));
        Assert.That(_dir.FileNames(), Has.Length.EqualTo(4 * perStore));
        foreach (var (id, i) in results)
        {
            var text = await File.ReadAllTextAsync(Path.Combine(_dir.Path, id + ".eml"));
            Assert.That(text, Is.EqualTo($"Message {i}\r\nMessage {i}\r\n"));
            Assert.That(EnvelopeJson.Read(await File.ReadAllBytesAsync(Path.Combine(_dir.Path, id + ".json"))).Id, Is.EqualTo(id));
        }
    }

    [Test]
    public async Task An_id_whose_temporary_file_another_process_holds_is_never_reused()
    {
        // The other process created <id>.eml.tmp first: the exclusive create fails and a new id is drawn.
        var fileSystem = new PreemptingFileSystem((path, id) => File.WriteAllText(path, "the other process's data"));
        var store = new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path }, fileSystem);

        await using var tx = await store.BeginAsync(CancellationToken.None);
        await tx.CommitAsync(Envelope(), CancellationToken.None);

        Assert.That(fileSystem.PreemptedId, Is.Not.Null.And.Not.EqualTo(tx.Id));
        Assert.That(File.ReadAllText(Path.Combine(_dir.Path, fileSystem.PreemptedId + ".eml.tmp")), Is.EqualTo("the other process's data"));
        Assert.That(File.Exists(Path.Combine(_dir.Path, tx.Id + ".json")), Is.True);
    }

    [Test]
    public async Task An_id_another_process_already_committed_is_never_reused()
    {
        // The other process's message with this id is complete (its .tmp is gone): the create succeeds,
        // the store sees the committed files, drops its reservation and draws a new id.
        var fileSystem = new PreemptingFileSystem((path, id) =>
        {
            var directory = Path.GetDirectoryName(path)!;
            File.WriteAllText(Path.Combine(directory, id + ".eml"), "committed body");
            File.WriteAllText(Path.Combine(directory, id + ".json"), "{}");
        }, createAfter: true);
        var store = new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path }, fileSystem);

        await using var tx = await store.BeginAsync(CancellationToken.None);
        await tx.CommitAsync(Envelope(), CancellationToken.None);

        var other = fileSystem.PreemptedId!;
        Assert.That(other, Is.Not.EqualTo(tx.Id));
        Assert.That(_dir.FileNames(), Is.EquivalentTo(new[] { other + ".eml", other + ".json", tx.Id + ".eml", tx.Id + ".json" }));
        Assert.That(File.ReadAllText(Path.Combine(_dir.Path, other + ".eml")), Is.EqualTo("committed body"));
    }

    [Test]
    public void Start_up_removes_only_stale_leftovers()
    {
        var old = DateTime.UtcNow - TimeSpan.FromHours(2);
        string[] stale = ["AAAA.eml.tmp", "BBBB.json.tmp", "CCCC.eml"];
        string[] kept = ["DDDD.eml.tmp", "EEEE.eml", "EEEE.json", "notes.txt.tmp", "README"];
        foreach (var name in stale.Concat(kept))
        {
            File.WriteAllText(Path.Combine(_dir.Path, name), name);
        }

        foreach (var name in stale.Concat(["EEEE.eml", "EEEE.json", "notes.txt.tmp", "README"]))
        {
            File.SetLastWriteTimeUtc(Path.Combine(_dir.Path, name), old);
        }

        var store = new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path });
        store.Initialize();

        Assert.That(_dir.FileNames(), Is.EquivalentTo(kept));
    }

    [Test]
    public async Task Another_process_starting_up_leaves_a_message_in_flight_alone()
    {
        var running = new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path });
        await using var tx = await running.BeginAsync(CancellationToken.None);
        await tx.WriteAsync("in flight"u8.ToArray(), CancellationToken.None);

        var starting = new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path });
        Assert.That(starting.RemoveStaleFiles(), Is.Zero);

        await tx.CommitAsync(Envelope(), CancellationToken.None);
        Assert.That(File.ReadAllText(Path.Combine(_dir.Path, tx.Id + ".eml")), Is.EqualTo("in flight"));
    }

    [Test]
    public void Free_space_is_read_from_the_queue_file_system()
    {
        var store = new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path });
        Assert.That(store.HasFreeSpace(0), Is.True);
        Assert.That(store.HasFreeSpace(1), Is.True);
        Assert.That(store.HasFreeSpace(long.MaxValue), Is.False);
        Assert.That(((IMessageStore)store).HasFreeSpace(long.MaxValue), Is.False);
    }

    [Test]
    public void Free_space_is_probed_before_the_directory_exists()
    {
        var store = new FilesMessageStore(new FilesMessageStoreOptions { Path = Path.Combine(_dir.Path, "not", "yet") });
        Assert.That(store.HasFreeSpace(1), Is.True);
        Assert.That(Directory.Exists(Path.Combine(_dir.Path, "not")), Is.False);
    }

    [Test]
    public void Free_space_compares_with_the_minimum_and_is_false_when_unreadable()
    {
        var fileSystem = new RecordingFileSystem { FreeSpace = 100 * 1024 * 1024 };
        var store = new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path }, fileSystem);

        Assert.That(store.HasFreeSpace(100 * 1024 * 1024), Is.True);
        Assert.That(store.HasFreeSpace((100 * 1024 * 1024) + 1), Is.False);

        fileSystem.FailFreeSpace = true;
        Assert.That(store.HasFreeSpace(0), Is.False);
    }

    [Test]
    public void The_service_collection_extension_registers_the_files_store()
    {
        var services = new ServiceCollection();
        services.AddSluiceFilesQueue(_dir.Path, fsync: false);
        using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<IMessageStore>();
        Assert.That(store, Is.InstanceOf<FilesMessageStore>());
        Assert.That(store, Is.SameAs(provider.GetRequiredService<FilesMessageStore>()));
        Assert.That(((FilesMessageStore)store).Options.Fsync, Is.False);
        Assert.That(((FilesMessageStore)store).DirectoryPath, Is.EqualTo(Path.GetFullPath(_dir.Path)));
    }

    [Test]
    public void A_store_the_host_registered_first_is_kept()
    {
        var services = new ServiceCollection();
        var mine = new FilesMessageStore(new FilesMessageStoreOptions { Path = _dir.Path });
        services.AddSingleton<IMessageStore>(mine);
        services.AddSluiceFilesQueue(Path.Combine(_dir.Path, "other"));
        using var provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<IMessageStore>(), Is.SameAs(mine));
    }

    [Test]
    public void The_real_directory_fsync_works_on_directories_and_refuses_other_paths()
    {
        var fileSystem = PhysicalQueueFileSystem.Instance;
        Assert.That(() => fileSystem.FlushDirectory(_dir.Path), Throws.Nothing);

        if (!OperatingSystem.IsWindows())
        {
            var file = Path.Combine(_dir.Path, "plain");
            File.WriteAllText(file, "x");
            Assert.That(() => fileSystem.FlushDirectory(file), Throws.InstanceOf<IOException>(), "O_DIRECTORY refuses a file");
            Assert.That(() => fileSystem.FlushDirectory(Path.Combine(_dir.Path, "missing")), Throws.InstanceOf<IOException>());
        }
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// The real file layer, where "another process" acts on the first id the store tries: before the
    /// store's exclusive create (it holds the temporary name) or right after it (it had committed the id).
    /// </summary>
    private sealed class PreemptingFileSystem(Action<string, string> otherProcess, bool createAfter = false) : IQueueFileSystem
    {
        private readonly PhysicalQueueFileSystem _inner = PhysicalQueueFileSystem.Instance;

        public string? PreemptedId { get; private set; }

        public Stream CreateNew(string path)
        {
            if (PreemptedId is null && path.EndsWith(".eml.tmp", StringComparison.Ordinal))
            {
                PreemptedId = Path.GetFileName(path)[..^".eml.tmp".Length];
                if (!createAfter)
                {
                    otherProcess(path, PreemptedId);
                    return _inner.CreateNew(path);
                }

                var stream = _inner.CreateNew(path);
                otherProcess(path, PreemptedId);
                return stream;
            }

            return _inner.CreateNew(path);
        }

        public void CreateDirectory(string path) => _inner.CreateDirectory(path);

        public void Flush(Stream stream, bool flushToDisk) => _inner.Flush(stream, flushToDisk);

        public void Move(string source, string destination) => _inner.Move(source, destination);

        public void Delete(string path) => _inner.Delete(path);

        public bool FileExists(string path) => _inner.FileExists(path);

        public void FlushDirectory(string path) => _inner.FlushDirectory(path);

        public IEnumerable<string> EnumerateFiles(string directory) => _inner.EnumerateFiles(directory);

        public DateTime GetLastWriteTimeUtc(string path) => _inner.GetLastWriteTimeUtc(path);

        public long GetAvailableFreeSpace(string path) => _inner.GetAvailableFreeSpace(path);
    }
}
