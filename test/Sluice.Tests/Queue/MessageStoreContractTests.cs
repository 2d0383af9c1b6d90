using System.Text;
using Microsoft.Extensions.Time.Testing;
using Sluice.Queue;

namespace Sluice.Tests.Queue;

/// <summary>
/// What every built-in store must do (SPEC §2.9, <see cref="IMessageStore"/>), run against each one:
/// <see cref="FilesStoreContractTests"/> and <see cref="LogStoreContractTests"/>.
/// </summary>
internal abstract class MessageStoreContractTests
{
    private readonly List<IMessageStore> _stores = [];

    protected TempDirectory Dir { get; private set; } = null!;

    /// <summary>The injected failures this store must survive: (step, file name suffix, occurrence), as <see cref="RecordingFileSystem.FailAt"/> takes them.</summary>
    protected abstract IReadOnlyList<(string Step, string Suffix, int Occurrence)> FailureSteps { get; }

    protected abstract IMessageStore NewStore(string path, IQueueFileSystem? fileSystem, bool fsync);

    protected abstract IQueueReader NewReader(string path, TimeProvider? time = null);

    [SetUp]
    public void SetUpDirectory() => Dir = new TempDirectory();

    [TearDown]
    public void TearDownStores()
    {
        foreach (var store in _stores)
        {
            (store as IDisposable)?.Dispose();
        }

        _stores.Clear();
        Dir.Dispose();
    }

    protected IMessageStore Store(IQueueFileSystem? fileSystem = null, bool fsync = true, string? path = null)
    {
        var store = NewStore(path ?? Dir.Path, fileSystem, fsync);
        _stores.Add(store);
        return store;
    }

    internal static MessageEnvelope Envelope(string from = "s@example.org", DateTimeOffset? holdUntil = null, params string[] to) => new()
    {
        From = from,
        To = (to.Length == 0 ? ["r@example.com"] : to).Select(a => new EnvelopeRecipient(a)).ToList(),
        ReceivedAt = new DateTimeOffset(2026, 12, 4, 22, 0, 0, TimeSpan.Zero),
        HoldUntil = holdUntil,
    };

    internal static async Task<(string Id, MessageEnvelope Stored)> StoreAsync(IMessageStore store, byte[] content, MessageEnvelope? envelope = null, int chunk = 1000)
    {
        await using var tx = await store.BeginAsync(CancellationToken.None);
        for (var i = 0; i < content.Length; i += chunk)
        {
            await tx.WriteAsync(content.AsMemory(i, Math.Min(chunk, content.Length - i)), CancellationToken.None);
        }

        var stored = await tx.CommitAsync(envelope ?? Envelope(), CancellationToken.None);
        return (tx.Id, stored);
    }

    internal static byte[] ReadContent(QueuedMessage message)
    {
        using var stream = message.OpenContent();
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    private static byte[] Message(string tag, int bodyBytes) =>
        Encoding.ASCII.GetBytes($"Subject: {tag}\r\n\r\n" + new string((char)('a' + (tag.Length % 26)), bodyBytes) + $"\r\nend of {tag}\r\n");

    private string[] TemporaryFiles() => Dir.FileNames().Where(n => n.EndsWith(".tmp", StringComparison.Ordinal)).ToArray();

    [Test]
    public async Task Streamed_bytes_and_the_envelope_are_stored_exactly()
    {
        var store = Store();
        var random = new Random(5321);
        var chunks = Enumerable.Range(0, 40).Select(i => { var b = new byte[1 + (i * 997 % 9000)]; random.NextBytes(b); return b; }).ToList();
        chunks.Insert(0, "Received: from x\r\n"u8.ToArray());
        chunks.Add("bare\rCR and bare\nLF\r\n.\r\n"u8.ToArray());
        var expected = chunks.SelectMany(c => c).ToArray();

        await using var tx = await store.BeginAsync(CancellationToken.None);
        foreach (var chunk in chunks)
        {
            await tx.WriteAsync(chunk, CancellationToken.None);
        }

        Assert.That(tx.Length, Is.EqualTo(expected.Length));
        var stored = await tx.CommitAsync(Envelope(), CancellationToken.None);

        var message = NewReader(Dir.Path).List().Single();
        Assert.That(message.Id, Is.EqualTo(tx.Id));
        Assert.That(stored, Is.EqualTo(Envelope() with { Id = tx.Id, Size = expected.Length }).Using<MessageEnvelope>((a, b) => EnvelopeJson.ToUtf8Bytes(a).AsSpan().SequenceEqual(EnvelopeJson.ToUtf8Bytes(b))));
        Assert.That(ReadContent(message), Is.EqualTo(expected));
        Assert.That(message.EnvelopeJson, Is.EqualTo(EnvelopeJson.ToUtf8Bytes(stored)), "the exact .json bytes");
        Assert.That(Encoding.UTF8.GetString(message.EnvelopeJson), Does.Contain($"\"size\": {expected.Length},"));
        Assert.That(TemporaryFiles(), Is.Empty);
    }

    [Test]
    public async Task A_small_and_an_empty_message_are_stored_exactly()
    {
        var store = Store();
        var (small, _) = await StoreAsync(store, "Subject: s\r\n\r\nx\r\n"u8.ToArray());
        var (empty, stored) = await StoreAsync(store, [], Envelope(""));

        var messages = NewReader(Dir.Path).List().ToDictionary(m => m.Id);
        Assert.That(ReadContent(messages[small]), Is.EqualTo("Subject: s\r\n\r\nx\r\n"u8.ToArray()));
        Assert.That(ReadContent(messages[empty]), Is.Empty);
        Assert.That(stored.Size, Is.Zero);
        Assert.That(messages[empty].Envelope.From, Is.Empty);
    }

    [Test]
    public async Task The_id_is_known_before_data_and_nothing_is_visible_before_commit()
    {
        var store = Store();
        var reader = NewReader(Dir.Path);
        await using var tx = await store.BeginAsync(CancellationToken.None);

        Assert.That(MessageId.IsValid(tx.Id), Is.True);
        await tx.WriteAsync(Message("pending", 200_000), CancellationToken.None);
        Assert.That(reader.List(), Is.Empty, "staged, not committed");

        await tx.CommitAsync(Envelope(), CancellationToken.None);
        Assert.That(reader.List().Select(m => m.Id), Is.EqualTo(new[] { tx.Id }));
    }

    [Test]
    public async Task Dispose_without_commit_aborts_and_leaves_nothing([Values(100, 200_000)] int size)
    {
        var store = Store();
        await using (var tx = await store.BeginAsync(CancellationToken.None))
        {
            await tx.WriteAsync(Message("aborted", size), CancellationToken.None);
        }

        Assert.That(NewReader(Dir.Path).List(), Is.Empty);
        Assert.That(TemporaryFiles(), Is.Empty, "the staged bytes are removed");
    }

    [Test]
    public async Task Commit_twice_or_write_after_commit_is_refused_and_an_invalid_envelope_is_an_argument_error()
    {
        var store = Store();
        await using var tx = await store.BeginAsync(CancellationToken.None);
        await tx.WriteAsync("Subject: x\r\n\r\n"u8.ToArray(), CancellationToken.None);
        Assert.ThrowsAsync<ArgumentException>(async () => await tx.CommitAsync(Envelope() with { To = [] }, CancellationToken.None));
        Assert.ThrowsAsync<ArgumentException>(async () => await tx.CommitAsync(Envelope() with { Id = "other" }, CancellationToken.None));
        await tx.CommitAsync(Envelope(), CancellationToken.None);
        Assert.ThrowsAsync<InvalidOperationException>(async () => await tx.CommitAsync(Envelope(), CancellationToken.None));
        Assert.ThrowsAsync<InvalidOperationException>(async () => await tx.WriteAsync(new byte[1], CancellationToken.None));
        Assert.That(NewReader(Dir.Path).List().Count(), Is.EqualTo(1));
    }

    [Test]
    public async Task A_cancelled_write_fails_the_transaction_and_leaves_nothing()
    {
        var store = Store();
        await using (var tx = await store.BeginAsync(CancellationToken.None))
        {
            await tx.WriteAsync(Message("c", 100_000), CancellationToken.None);
            using var cancelled = new CancellationTokenSource();
            await cancelled.CancelAsync();
            Assert.CatchAsync<OperationCanceledException>(async () => await tx.WriteAsync(new byte[10], cancelled.Token));
            Assert.ThrowsAsync<MessageStoreException>(async () => await tx.CommitAsync(Envelope(), CancellationToken.None));
        }

        Assert.That(NewReader(Dir.Path).List(), Is.Empty);
        Assert.That(TemporaryFiles(), Is.Empty);
    }

    [Test]
    public async Task An_injected_failure_at_any_step_throws_MessageStoreException_shows_nothing_and_the_next_message_is_stored()
    {
        foreach (var (step, suffix, occurrence) in FailureSteps)
        {
            using var dir = new TempDirectory();
            var fileSystem = new RecordingFileSystem();
            var store = Store(fileSystem, path: dir.Path);
            fileSystem.FailAt(step, suffix, occurrence);

            var caught = Assert.CatchAsync<MessageStoreException>(
                async () => await StoreAsync(store, Message("failing", 5000)), $"{step} {suffix} #{occurrence}");
            Assert.That(caught!.InnerException, Is.InstanceOf<IOException>(), $"{step} {suffix}");
            Assert.That(NewReader(dir.Path).List(), Is.Empty, $"nothing visible after a failed {step} {suffix}");
            Assert.That(dir.FileNames().Where(n => n.EndsWith(".tmp", StringComparison.Ordinal)), Is.Empty, $"{step} {suffix}");

            fileSystem.FailAt("none", "none");
            var content = Message("after", 5000);
            var (id, _) = await StoreAsync(store, content);
            var only = NewReader(dir.Path).List().Single();
            Assert.That((only.Id, ReadContent(only)), Is.EqualTo((id, content)), $"the store recovers after a failed {step} {suffix}");
            (store as IDisposable)?.Dispose();
        }
    }

    [Test]
    public async Task With_fsync_the_data_and_its_name_are_flushed_to_disk_before_commit_returns()
    {
        var fileSystem = new RecordingFileSystem();
        var store = Store(fileSystem);
        var (id, _) = await StoreAsync(store, Message("durable", 3000));
        fileSystem.Mark("commit returned");

        var events = fileSystem.Events.ToList();
        var returned = events.IndexOf("commit returned");
        var dataFsync = events.FindIndex(e => e.StartsWith("fsync ", StringComparison.Ordinal) && !e.StartsWith("fsync-dir", StringComparison.Ordinal));
        var directoryFsync = events.FindLastIndex(returned, e => e.StartsWith("fsync-dir", StringComparison.Ordinal));
        Assert.That(dataFsync, Is.InRange(0, returned), string.Join("\n", events));
        Assert.That(directoryFsync, Is.InRange(dataFsync, returned), "the name is durable too");
        Assert.That(NewReader(Dir.Path).List().Single().Id, Is.EqualTo(id));
    }

    [Test]
    public async Task Without_fsync_nothing_is_forced_to_disk()
    {
        var fileSystem = new RecordingFileSystem();
        var store = Store(fileSystem, fsync: false);
        await StoreAsync(store, Message("fast", 3000));

        Assert.That(fileSystem.Events.Where(e => e.StartsWith("fsync", StringComparison.Ordinal)), Is.Empty);
        Assert.That(fileSystem.Events.Where(e => e.StartsWith("flush ", StringComparison.Ordinal)), Is.Not.Empty, "buffers still reach the OS");
    }

    [Test]
    public async Task A_hundred_concurrent_committers_all_land_whole_with_unique_ids()
    {
        var store = Store();
        var contents = Enumerable.Range(0, 100).Select(i => Message($"concurrent {i}", 4000 + i)).ToArray();
        var results = await Task.WhenAll(contents.Select(c => Task.Run(() => StoreAsync(store, c, chunk: 700))));

        var messages = NewReader(Dir.Path).List().ToDictionary(m => m.Id);
        Assert.That(results.Select(r => r.Id).Distinct().Count(), Is.EqualTo(100));
        Assert.That(messages, Has.Count.EqualTo(100));
        for (var i = 0; i < 100; i++)
        {
            Assert.That(ReadContent(messages[results[i].Id]), Is.EqualTo(contents[i]));
            Assert.That(messages[results[i].Id].Envelope.Size, Is.EqualTo(contents[i].Length));
        }
    }

    [Test]
    public async Task Two_stores_sharing_a_directory_as_two_replicas_would_never_clash()
    {
        var a = Store();
        var b = Store();
        var tasks = Enumerable.Range(0, 60).Select(i => Task.Run(() => StoreAsync(i % 2 == 0 ? a : b, Message($"replica {i}", 1000 + i))));
        var ids = (await Task.WhenAll(tasks)).Select(r => r.Id).ToList();

        Assert.That(ids.Distinct().Count(), Is.EqualTo(60));
        Assert.That(NewReader(Dir.Path).List().Select(m => m.Id), Is.EquivalentTo(ids));
    }

    [Test]
    public async Task Queue_list_prints_the_spec_fields_tab_separated_with_the_state()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero));
        var store = Store();
        var (plain, plainStored) = await StoreAsync(store, Message("plain", 10));
        var (bounce, bounceStored) = await StoreAsync(store, Message("bounce", 10), Envelope("", null, "a@x.example", "b@y.example"));
        var (held, _) = await StoreAsync(store, Message("held", 10), Envelope(holdUntil: time.GetUtcNow().AddHours(1)));

        var output = new StringWriter();
        QueueCommands.List(NewReader(Dir.Path, time), output);
        var lines = output.ToString().Split('\n');

        Assert.That(lines[^1], Is.Empty, "every line ends with a line feed, and there is no header line");
        Assert.That(lines[..^1], Is.EquivalentTo(new[]
        {
            $"{plain}\t2026-12-04T22:00:00Z\ts@example.org\tr@example.com\t{plainStored.Size}\tqueued",
            $"{bounce}\t2026-12-04T22:00:00Z\t<>\ta@x.example,b@y.example\t{bounceStored.Size}\tqueued",
            $"{held}\t2026-12-04T22:00:00Z\ts@example.org\tr@example.com\t{Message("held", 10).Length}\theld",
        }));
    }

    [Test]
    public async Task Queue_show_prints_the_json_a_blank_line_and_the_header_section()
    {
        var store = Store();
        var content = "Received: by x\r\nSubject: shown\r\n\tfolded\r\n\r\nbody not shown\r\n"u8.ToArray();
        var (id, stored) = await StoreAsync(store, content);

        var shown = QueueCommands.ShowToString(NewReader(Dir.Path), id);

        Assert.That(shown, Is.EqualTo(Encoding.UTF8.GetString(EnvelopeJson.ToUtf8Bytes(stored)) + "\nReceived: by x\r\nSubject: shown\r\n\tfolded\r\n"));
        Assert.That(QueueCommands.ShowToString(NewReader(Dir.Path), "NOSUCHID"), Is.Null);
    }

    [Test]
    public async Task Queue_export_writes_the_files_layout()
    {
        var store = Store();
        var first = Message("one", 70_000);
        var (id1, stored1) = await StoreAsync(store, first);
        var (id2, stored2) = await StoreAsync(store, Message("two", 5));
        using var target = new TempDirectory();

        Assert.That(QueueCommands.Export(NewReader(Dir.Path), target.Path), Is.EqualTo(2));

        Assert.That(target.FileNames(), Is.EquivalentTo(new[] { id1 + ".eml", id1 + ".json", id2 + ".eml", id2 + ".json" }));
        Assert.That(File.ReadAllBytes(Path.Combine(target.Path, id1 + ".eml")), Is.EqualTo(first));
        Assert.That(File.ReadAllBytes(Path.Combine(target.Path, id1 + ".json")), Is.EqualTo(EnvelopeJson.ToUtf8Bytes(stored1)));
        Assert.That(File.ReadAllBytes(Path.Combine(target.Path, id2 + ".json")), Is.EqualTo(EnvelopeJson.ToUtf8Bytes(stored2)));
        var exported = new FilesQueueReader(target.Path).List().Select(m => m.Id);
        Assert.That(exported, Is.EquivalentTo(new[] { id1, id2 }), "the export is a files store in its own right");
    }

    [Test]
    public async Task A_consumer_gets_each_message_until_marked_done_and_held_ones_only_at_their_time()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero));
        var store = Store();
        var (a, _) = await StoreAsync(store, Message("a", 100));
        var (b, _) = await StoreAsync(store, Message("b", 100));
        var (later, _) = await StoreAsync(store, Message("later", 100), Envelope(holdUntil: time.GetUtcNow().AddMinutes(30)));

        var consumer = NewReader(Dir.Path, time);
        var ready = consumer.ReadReady().ToList();
        Assert.That(ready.Select(m => m.Id), Is.EquivalentTo(new[] { a, b }), "the held one not yet");
        consumer.MarkDone(ready[0]);

        // A restarted consumer (a new reader) gets what was not marked done again: at-least-once.
        var restarted = NewReader(Dir.Path, time);
        var notDone = ready[0].Id == a ? b : a;
        Assert.That(restarted.ReadReady().Select(m => m.Id), Is.EqualTo(new[] { notDone }));

        time.Advance(TimeSpan.FromMinutes(31));
        var next = restarted.ReadReady().ToList();
        Assert.That(next.Select(m => m.Id), Is.EquivalentTo(new[] { notDone, later }), "the hold has passed");
        Assert.That(ReadContent(next.Single(m => m.Id == later)), Is.EqualTo(Message("later", 100)));
        foreach (var message in next)
        {
            restarted.MarkDone(message);
        }

        Assert.That(NewReader(Dir.Path, time).ReadReady(), Is.Empty);
        Assert.That(NewReader(Dir.Path, time).List().Where(m => m.State != QueuedMessageState.Done), Is.Empty);
    }
}
