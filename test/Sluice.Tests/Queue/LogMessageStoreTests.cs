using System.Text;
using Sluice.Queue;
using Sluice.Queue.Log;

namespace Sluice.Tests.Queue;

/// <summary>What only the <c>log</c> store does: group commit, segments, staging, done-markers.</summary>
[TestFixture]
public sealed class LogMessageStoreTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    internal static byte[] Message(string tag, int bodyBytes) =>
        Encoding.ASCII.GetBytes($"Subject: {tag}\r\n\r\n" + new string('m', bodyBytes) + $"\r\nend of {tag}\r\n");

    private LogMessageStore NewStore(IQueueFileSystem? fileSystem = null, bool fsync = true, long segmentSize = 64L << 20, long spill = 64 * 1024) =>
        new(new LogMessageStoreOptions { Path = _dir.Path, Fsync = fsync, SegmentSize = segmentSize, SpillThreshold = spill }, fileSystem);

    [Test]
    public async Task Commits_waiting_during_a_flush_share_the_next_one_and_none_returns_before_its_flush()
    {
        using var files = new GatedFileSystem(".seg");
        using var store = NewStore(files);
        var first = Task.Run(() => MessageStoreContractTests.StoreAsync(store, Message("first", 4000)));
        Assert.That(await files.ReachedGate.WaitAsync(TimeSpan.FromSeconds(10)), Is.True, "the first batch reaches its fsync");

        var waiting = Enumerable.Range(0, 50).Select(i => Task.Run(() => MessageStoreContractTests.StoreAsync(store, Message($"w{i}", 4000)))).ToList();
        await PollAsync(() => store.Writer.PendingCount == 50, "all 50 commits queue behind the flush");
        Assert.That(first.IsCompleted || waiting.Any(t => t.IsCompleted), Is.False, "no commit returns while the flush that covers it is not done");
        var inProcess = new LogQueueReader(_dir.Path, true, null, null, null, store);
        Assert.That(inProcess.List(), Is.Empty, "a consumer in the writer's process sees no message before its commit returned");
        Assert.That(new LogQueueReader(_dir.Path).List().Count(), Is.EqualTo(1), "another process sees the complete record (page cache): at-least-once");

        files.Release();
        var ids = (await Task.WhenAll(waiting.Append(first))).Select(r => r.Id).ToList();

        Assert.That(store.Flushes, Is.EqualTo(2), "one flush for the first commit, one for the 50 that waited");
        Assert.That(files.Inner.Events.Count(e => e.StartsWith("fsync ", StringComparison.Ordinal) && e.EndsWith(".seg", StringComparison.Ordinal)), Is.EqualTo(2));
        Assert.That(new LogQueueReader(_dir.Path).List().Select(m => m.Id), Is.EquivalentTo(ids));
        Assert.That(inProcess.List().Select(m => m.Id), Is.EquivalentTo(ids));
    }

    [Test]
    public async Task A_hundred_concurrent_commits_need_far_fewer_flushes()
    {
        using var store = NewStore();
        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(() => MessageStoreContractTests.StoreAsync(store, Message($"c{i}", 4000)))));
        Assert.That(store.Flushes, Is.InRange(1, 99));
        Assert.That(new LogQueueReader(_dir.Path).List().Count(), Is.EqualTo(100));
    }

    [Test]
    public async Task A_large_message_is_staged_in_a_file_in_the_queue_directory_not_in_memory()
    {
        using var store = NewStore(spill: 1000);
        await using var tx = await store.BeginAsync(CancellationToken.None);
        await tx.WriteAsync(new byte[600], CancellationToken.None);
        Assert.That(_dir.FileNames().Where(n => n.EndsWith(LogSegmentNames.StagingSuffix, StringComparison.Ordinal)), Is.Empty, "small: in memory");
        await tx.WriteAsync(new byte[600], CancellationToken.None);
        Assert.That(_dir.FileNames(), Does.Contain(tx.Id + LogSegmentNames.StagingSuffix), "grown past the threshold: in a staging file");

        await tx.CommitAsync(MessageStoreContractTests.Envelope(), CancellationToken.None);
        Assert.That(_dir.FileNames().Where(n => n.EndsWith(LogSegmentNames.StagingSuffix, StringComparison.Ordinal)), Is.Empty, "copied into the segment and removed");
        Assert.That(MessageStoreContractTests.ReadContent(new LogQueueReader(_dir.Path).List().Single()), Is.EqualTo(new byte[1200]));
    }

    [Test]
    public async Task A_failed_batch_is_cut_from_the_segment_and_earlier_messages_stay()
    {
        var files = new RecordingFileSystem();
        using var store = NewStore(files);
        var (kept, _) = await MessageStoreContractTests.StoreAsync(store, Message("kept", 3000));
        var segment = Directory.GetFiles(_dir.Path, "*.seg").Single();
        var lengthBefore = new FileInfo(segment).Length;

        files.FailAt("fsync", ".seg", 1); // counted from now: the second batch's flush
        Assert.CatchAsync<MessageStoreException>(async () => await MessageStoreContractTests.StoreAsync(store, Message("lost", 3000)));
        Assert.That(new FileInfo(segment).Length, Is.EqualTo(lengthBefore), "the failed record is cut off");
        Assert.That(files.Events, Does.Contain("truncate " + Path.GetFileName(segment)));

        var (after, _) = await MessageStoreContractTests.StoreAsync(store, Message("after", 3000));
        Assert.That(new LogQueueReader(_dir.Path).List().Select(m => m.Id), Is.EqualTo(new[] { kept, after }));
    }

    [Test]
    public async Task Segments_roll_over_and_a_sealed_segment_is_deleted_once_all_its_messages_are_done()
    {
        var store = NewStore(segmentSize: 20_000);
        for (var i = 0; i < 10; i++)
        {
            await MessageStoreContractTests.StoreAsync(store, Message($"roll{i}", 5000));
        }

        var segments = Directory.GetFiles(_dir.Path, "*.seg").Length;
        Assert.That(segments, Is.GreaterThanOrEqualTo(3));
        var consumer = new LogQueueReader(_dir.Path);
        var messages = consumer.ReadReady().ToList();
        Assert.That(messages, Has.Count.EqualTo(10));
        foreach (var message in messages.Take(5))
        {
            consumer.MarkDone(message);
        }

        Assert.That(Directory.GetFiles(_dir.Path, "*.seg").Length, Is.LessThan(segments), "fully done sealed segments are gone");
        Assert.That(consumer.List().Count(m => m.State == QueuedMessageState.Done), Is.InRange(1, 5));
        foreach (var message in messages.Skip(5))
        {
            consumer.MarkDone(message);
        }

        Assert.That(Directory.GetFiles(_dir.Path, "*.seg"), Has.Length.EqualTo(1), "the segment being written is kept");
        store.Dispose(); // seals it
        Assert.That(consumer.ReadReady(), Is.Empty);
        Assert.That(_dir.FileNames(), Is.Empty, "no segment, no done-markers, no lock file left");
    }

    [Test]
    public async Task A_consumer_reads_in_commit_order()
    {
        using var store = NewStore();
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add((await MessageStoreContractTests.StoreAsync(store, Message($"o{i}", 10))).Id);
        }

        Assert.That(new LogQueueReader(_dir.Path).ReadReady().Select(m => m.Id), Is.EqualTo(ids));
    }

    [Test]
    public async Task Marking_done_is_durable_before_it_returns()
    {
        using var store = NewStore();
        await MessageStoreContractTests.StoreAsync(store, Message("done", 100));
        var files = new RecordingFileSystem();
        var consumer = new LogQueueReader(_dir.Path, fileSystem: files);
        consumer.MarkDone(consumer.ReadReady().Single());
        files.Mark("returned");

        var done = Path.GetFileName(Directory.GetFiles(_dir.Path, "*.done").Single());
        Assert.That(files.Events, Is.EqualTo(new[] { "append " + done, "fsync " + done, "close " + done, "fsync-dir " + Path.GetFileName(_dir.Path), "returned" }));
        Assert.That(new LogQueueReader(_dir.Path).List().Single().State, Is.EqualTo(QueuedMessageState.Done));
    }

    [Test]
    public async Task A_corrupt_record_ends_what_readers_see()
    {
        using (var store = NewStore())
        {
            for (var i = 0; i < 3; i++)
            {
                await MessageStoreContractTests.StoreAsync(store, Message($"c{i}", 500));
            }
        }

        var segment = Directory.GetFiles(_dir.Path, "*.seg").Single();
        using (var stream = File.Open(segment, FileMode.Open))
        {
            var second = LogSegmentScanner.Scan(stream).Records[1];
            stream.Position = second.DataOffset + 10;
            var b = stream.ReadByte();
            stream.Position = second.DataOffset + 10;
            stream.WriteByte((byte)(b ^ 0x20));
        }

        Assert.That(new LogQueueReader(_dir.Path).List().Select(m => m.Envelope.Size), Has.Exactly(1).Items, "only the record before the damage checks");
    }

    [Test]
    public async Task Disposing_the_store_seals_its_segment_and_releases_its_lock()
    {
        var store = NewStore();
        await MessageStoreContractTests.StoreAsync(store, Message("x", 10));
        Assert.That(_dir.FileNames(), Does.Contain(store.WriterId + LogSegmentNames.LockExtension));
        store.Dispose();

        Assert.That(_dir.FileNames(), Is.EqualTo(new[] { LogSegmentNames.Segment(store.WriterId, 1) }));
        using var stream = File.OpenRead(Path.Combine(_dir.Path, LogSegmentNames.Segment(store.WriterId, 1)));
        Assert.That(LogSegmentScanner.Scan(stream).Sealed, Is.True);
    }

    internal static async Task PollAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "timed out waiting: " + what);
            await Task.Yield();
            await Task.Delay(5);
        }
    }

    /// <summary>The recording layer, holding the first fsync of a file with the given suffix until released.</summary>
    private sealed class GatedFileSystem(string suffix) : IQueueFileSystem, IDisposable
    {
        private readonly SemaphoreSlim _release = new(0);
        private int _gated;

        public RecordingFileSystem Inner { get; } = new();

        public SemaphoreSlim ReachedGate { get; } = new(0);

        public void Release() => _release.Release();

        public void Dispose()
        {
            _release.Dispose();
            ReachedGate.Dispose();
        }

        public void Flush(Stream stream, bool flushToDisk)
        {
            Inner.Flush(stream, flushToDisk);
            if (flushToDisk && ((RecordingStream)stream).FilePath.EndsWith(suffix, StringComparison.Ordinal) && Interlocked.Increment(ref _gated) == 1)
            {
                ReachedGate.Release();
                _release.Wait(TimeSpan.FromSeconds(30));
            }
        }

        public void CreateDirectory(string path) => Inner.CreateDirectory(path);

        public Stream CreateNew(string path) => Inner.CreateNew(path);

        public void Move(string source, string destination) => Inner.Move(source, destination);

        public void Delete(string path) => Inner.Delete(path);

        public bool FileExists(string path) => Inner.FileExists(path);

        public void FlushDirectory(string path) => Inner.FlushDirectory(path);

        public IEnumerable<string> EnumerateFiles(string directory) => Inner.EnumerateFiles(directory);

        public DateTime GetLastWriteTimeUtc(string path) => Inner.GetLastWriteTimeUtc(path);

        public long GetAvailableFreeSpace(string path) => Inner.GetAvailableFreeSpace(path);

        public Stream CreateSegment(string path) => Inner.CreateSegment(path);

        public Stream OpenSegmentForRepair(string path) => Inner.OpenSegmentForRepair(path);

        public Stream OpenAppend(string path) => Inner.OpenAppend(path);

        public void SetLength(Stream stream, long length) => Inner.SetLength(stream, length);
    }
}
