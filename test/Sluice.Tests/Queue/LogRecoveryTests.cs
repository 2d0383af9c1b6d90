using Sluice.Queue;
using Sluice.Queue.Log;

namespace Sluice.Tests.Queue;

/// <summary>
/// A crash at any byte of the last record: readers stop at the last complete record without touching
/// the file, and the next store to start cuts the torn tail, reports it and seals the segment.
/// Only a dead writer's segments are repaired.
/// </summary>
[TestFixture]
public sealed class LogRecoveryTests
{
    [Test]
    public async Task Truncating_the_last_segment_at_every_offset_of_its_last_record_recovers_the_messages_before_it()
    {
        using var source = new TempDirectory();
        byte[] image;
        string segmentName;
        List<(string Id, byte[] Content)> sent = [];
        using (var store = new LogMessageStore(new LogMessageStoreOptions { Path = source.Path, Fsync = false }))
        {
            for (var i = 0; i < 3; i++)
            {
                var content = LogMessageStoreTests.Message($"torn{i}", i == 2 ? 40 : 2000);
                var (id, _) = await MessageStoreContractTests.StoreAsync(store, content);
                sent.Add((id, content));
            }

            // The image a kill -9 right now would leave: the writer's segment, not sealed, no live lock.
            segmentName = Path.GetFileName(Directory.GetFiles(source.Path, "*.seg").Single());
            image = File.ReadAllBytes(Path.Combine(source.Path, segmentName));
        }

        LogRecord last;
        using (var stream = new MemoryStream(image))
        {
            var scan = LogSegmentScanner.Scan(stream);
            Assert.That((scan.Records.Count, scan.Sealed, scan.ValidEnd), Is.EqualTo((3, false, (long)image.Length)));
            last = scan.Records[2];
        }

        for (var cut = last.Offset; cut <= image.Length; cut++)
        {
            using var dir = new TempDirectory();
            var segment = Path.Combine(dir.Path, segmentName);
            await File.WriteAllBytesAsync(segment, image.AsMemory(0, (int)cut));
            var complete = cut == image.Length ? 3 : 2;

            // A reader (the CLI, another process) sees the complete records and changes nothing.
            var seen = new LogQueueReader(dir.Path).List().Select(m => (m.Id, MessageStoreContractTests.ReadContent(m))).ToList();
            Assert.That(seen, Is.EqualTo(sent.Take(complete).ToList()), $"reader at cut {cut}");
            Assert.That(new FileInfo(segment).Length, Is.EqualTo(cut), "a reader never repairs");

            // The next store to start owns the dead writer's segment: it cuts the tail and seals it.
            using (var store = new LogMessageStore(new LogMessageStoreOptions { Path = dir.Path, Fsync = false }))
            {
                store.Initialize();
                var report = store.Recovery!;
                var torn = cut - (complete == 3 ? image.Length : last.Offset);
                Assert.That(report.TornTails.Select(t => t.BytesRemoved), Is.EqualTo(torn > 0 ? new[] { torn } : Array.Empty<long>()), $"cut {cut}");
                Assert.That(report.SegmentsSealed, Is.EqualTo(1));
                using (var stream = File.OpenRead(segment))
                {
                    var scan = LogSegmentScanner.Scan(stream);
                    Assert.That((scan.Sealed, scan.ValidEnd, scan.Length), Is.EqualTo((true, scan.Length, (complete == 3 ? image.Length : last.Offset) + 28L)));
                }

                var (next, _) = await MessageStoreContractTests.StoreAsync(store, LogMessageStoreTests.Message("next", 10));
                var after = new LogQueueReader(dir.Path).List().Select(m => m.Id).ToList();
                Assert.That(after, Is.EqualTo(sent.Take(complete).Select(s => s.Id).Append(next).ToList()), $"cut {cut}");
            }
        }
    }

    [Test]
    public void A_segment_cut_inside_its_header_is_deleted_by_recovery()
    {
        using var dir = new TempDirectory();
        var segment = Path.Combine(dir.Path, LogSegmentNames.Segment(MessageId.Create(DateTimeOffset.UtcNow), 1));
        File.WriteAllBytes(segment, "SLQ"u8.ToArray());
        Assert.That(new LogQueueReader(dir.Path).List(), Is.Empty);

        using var store = new LogMessageStore(new LogMessageStoreOptions { Path = dir.Path });
        store.Initialize();

        Assert.That(store.Recovery!.SegmentsDeleted, Is.EqualTo(1));
        Assert.That(File.Exists(segment), Is.False);
    }

    [Test]
    public async Task A_live_writers_segment_is_never_repaired_by_another_store()
    {
        using var dir = new TempDirectory();
        using var live = new LogMessageStore(new LogMessageStoreOptions { Path = dir.Path });
        var (id, _) = await MessageStoreContractTests.StoreAsync(live, LogMessageStoreTests.Message("live", 100));
        var segment = Directory.GetFiles(dir.Path, "*.seg").Single();

        // Bytes of a record being written right now by the live writer.
        using (var append = new FileStream(segment, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
        {
            append.Write(new byte[] { 0x53, 0x4C, 0x51, 0x52, 1, 1, 0 });
        }

        var length = new FileInfo(segment).Length;
        using var other = new LogMessageStore(new LogMessageStoreOptions { Path = dir.Path });
        other.Initialize();

        Assert.That(other.Recovery!.TornTails, Is.Empty);
        Assert.That(new FileInfo(segment).Length, Is.EqualTo(length), "only the owner may touch its tail");
        Assert.That(new LogQueueReader(dir.Path).List().Select(m => m.Id), Is.EqualTo(new[] { id }));
    }
}
