using System.Buffers;
using System.Text;
using Sluice.Protocol;

namespace Sluice.Tests.Protocol;

public class BdatReaderTests
{
    [Test]
    public void A_chunk_passes_exactly_its_octets_and_leaves_the_next_command()
    {
        var bdat = new BdatReader();
        var output = new ArrayBufferWriter<byte>();
        var input = Encoding.ASCII.GetBytes("ab\r\n.\r\nxyzQUIT\r\n");
        bdat.BeginChunk(10, last: true);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(input));
        Assert.That(bdat.Read(ref reader, output), Is.EqualTo(DataReadStatus.Completed));
        long consumed = reader.Consumed;
        Assert.Multiple(() =>
        {
            Assert.That(Encoding.ASCII.GetString(output.WrittenSpan), Is.EqualTo("ab\r\n.\r\nxyz"), "binary: no unstuffing, no terminator");
            Assert.That(consumed, Is.EqualTo(10));
            Assert.That(bdat.MessageSize, Is.EqualTo(10));
            Assert.That(bdat.IsLastChunk, Is.True);
            Assert.That(bdat.ChunkDropped, Is.False);
        });
    }

    [Test]
    public void Chunks_split_at_every_position_give_the_same_message()
    {
        // BDAT 7, then BDAT 5 LAST, each followed by its octets, then a command.
        var stream = Encoding.ASCII.GetBytes("1234567" + "abcde" + "QUIT\r\n");
        for (int split = 0; split <= stream.Length; split++)
        {
            var bdat = new BdatReader(100);
            var output = new ArrayBufferWriter<byte>();
            var reader = new SequenceReader<byte>(Segments.SplitAt(stream, split));
            bdat.BeginChunk(7, last: false);
            Assert.That(bdat.Read(ref reader, output), Is.EqualTo(DataReadStatus.Completed));
            bdat.BeginChunk(5, last: true);
            Assert.That(bdat.Read(ref reader, output), Is.EqualTo(DataReadStatus.Completed));
            Assert.That(Encoding.ASCII.GetString(output.WrittenSpan), Is.EqualTo("1234567abcde"), $"split {split}");
            Assert.That(reader.Consumed, Is.EqualTo(12));
        }
    }

    [Test]
    public void A_chunk_across_several_reads_tracks_what_remains()
    {
        var bdat = new BdatReader();
        var output = new ArrayBufferWriter<byte>();
        bdat.BeginChunk(10, last: false);
        Assert.That(bdat.Read("abcd"u8, output, out int c1), Is.EqualTo(DataReadStatus.NeedMoreData));
        Assert.That(bdat.ChunkRemaining, Is.EqualTo(6));
        Assert.That(bdat.Read("efgh"u8, output, out int c2), Is.EqualTo(DataReadStatus.NeedMoreData));
        Assert.That(bdat.Read("ijKLMN"u8, output, out int c3), Is.EqualTo(DataReadStatus.Completed));
        Assert.Multiple(() =>
        {
            Assert.That((c1, c2, c3), Is.EqualTo((4, 4, 2)));
            Assert.That(Encoding.ASCII.GetString(output.WrittenSpan), Is.EqualTo("abcdefghij"));
            Assert.That(bdat.ChunkRemaining, Is.Zero);
        });
    }

    [Test]
    public void A_zero_octet_chunk_completes_at_once()
    {
        var bdat = new BdatReader();
        bdat.BeginChunk(0, last: true);
        var reader = new SequenceReader<byte>(ReadOnlySequence<byte>.Empty);
        Assert.That(bdat.Read(ref reader, null), Is.EqualTo(DataReadStatus.Completed));
        Assert.That(bdat.IsLastChunk, Is.True);
    }

    [Test]
    public void The_chunk_crossing_the_limit_and_every_later_chunk_are_dropped()
    {
        var bdat = new BdatReader(maxMessageSize: 10);
        var output = new ArrayBufferWriter<byte>();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("123456" + "78901" + "xy" + "NOOP\r\n")));

        bdat.BeginChunk(6, last: false);
        bdat.Read(ref reader, output);
        Assert.That(bdat.ChunkDropped, Is.False);

        bdat.BeginChunk(5, last: false); // 6 + 5 > 10
        Assert.That(bdat.Read(ref reader, output), Is.EqualTo(DataReadStatus.Completed));
        Assert.That(bdat.ChunkDropped, Is.True);
        Assert.That(bdat.TooBig, Is.True);

        bdat.BeginChunk(2, last: true); // would fit alone, but the transaction is over the limit
        Assert.That(bdat.Read(ref reader, output), Is.EqualTo(DataReadStatus.Completed));
        long consumed = reader.Consumed;
        Assert.Multiple(() =>
        {
            Assert.That(bdat.ChunkDropped, Is.True);
            Assert.That(Encoding.ASCII.GetString(output.WrittenSpan), Is.EqualTo("123456"));
            Assert.That(consumed, Is.EqualTo(13), "every chunk's octets were read");
        });

        bdat.Reset(10);
        bdat.BeginChunk(10, last: true);
        Assert.That(bdat.ChunkDropped, Is.False, "a new transaction starts clean");
    }

    [Test]
    public void A_chunk_that_exactly_reaches_the_limit_is_accepted()
    {
        var bdat = new BdatReader(maxMessageSize: 10);
        bdat.BeginChunk(4, last: false);
        bdat.Read("abcd"u8, null, out _);
        bdat.BeginChunk(6, last: true);
        Assert.That(bdat.ChunkDropped, Is.False);
        bdat.Read("efghij"u8, null, out _);
        Assert.That(bdat.MessageSize, Is.EqualTo(10));
    }

    [Test]
    public void Discard_reads_a_chunk_without_touching_the_transaction()
    {
        var bdat = new BdatReader(10);
        var output = new ArrayBufferWriter<byte>();
        bdat.BeginChunk(3, last: false, discard: true);
        Assert.That(bdat.Read("abc"u8, output, out int consumed), Is.EqualTo(DataReadStatus.Completed));
        Assert.Multiple(() =>
        {
            Assert.That(consumed, Is.EqualTo(3));
            Assert.That(output.WrittenCount, Is.Zero);
            Assert.That(bdat.TooBig, Is.False);
            Assert.That(bdat.MessageSize, Is.Zero);
        });
    }

    [Test]
    public void Beginning_a_chunk_before_the_previous_one_is_read_is_a_bug()
    {
        var bdat = new BdatReader();
        bdat.BeginChunk(3, last: false);
        Assert.That(() => bdat.BeginChunk(1, last: true), Throws.InvalidOperationException);
    }

    [Test]
    public void Received_headers_are_counted_across_chunks()
    {
        var bdat = new BdatReader();
        bdat.BeginChunk(12, last: false);
        bdat.Read("Received: a\r"u8, null, out _);
        bdat.BeginChunk(20, last: true);
        bdat.Read("\nReceived: b\r\n\r\nbody"u8[..20], null, out _);
        Assert.That(bdat.ReceivedHeaderCount, Is.EqualTo(2));
    }
}

public class ReceivedHeaderCounterTests
{
    private const string Message =
        "Received: from a.example by b.example;\r\n" +
        "\tFri, 4 Dec 2026 10:00:00 +0000\r\n" +
        " Received: folded, not a field\r\n" +
        "RECEIVED: from c\r\n" +
        "Received\t: obsolete spacing\r\n" +
        "Receive: no\r\n" +
        "Received-SPF: pass\r\n" +
        "X-Received: no\r\n" +
        "Subject: x\r\n" +
        "\r\n" +
        "Received: body, not counted\r\n";

    [Test]
    public void Counts_only_received_fields_of_the_header_section()
    {
        var counter = new ReceivedHeaderCounter();
        counter.Feed(Encoding.ASCII.GetBytes(Message));
        Assert.Multiple(() =>
        {
            Assert.That(counter.Count, Is.EqualTo(3));
            Assert.That(counter.HeadersComplete, Is.True);
        });
    }

    [Test]
    public void Every_split_gives_the_same_count()
    {
        var bytes = Encoding.ASCII.GetBytes(Message);
        for (int a = 0; a <= bytes.Length; a++)
        {
            var counter = new ReceivedHeaderCounter();
            counter.Feed(bytes.AsSpan(0, a));
            counter.Feed(bytes.AsSpan(a));
            Assert.That(counter.Count, Is.EqualTo(3), $"split {a}");
        }

        var bytewise = new ReceivedHeaderCounter();
        foreach (byte b in bytes)
        {
            bytewise.Feed([b]);
        }

        Assert.That(bytewise.Count, Is.EqualTo(3));
    }

    [Test]
    public void Unix_line_ends_are_understood()
    {
        var counter = new ReceivedHeaderCounter();
        counter.Feed("Received: a\nReceived: b\n\nReceived: c\n"u8);
        Assert.That(counter.Count, Is.EqualTo(2));
    }

    [Test]
    public void A_message_with_no_header_section_counts_nothing()
    {
        var counter = new ReceivedHeaderCounter();
        counter.Feed("\r\nReceived: x\r\n"u8);
        Assert.Multiple(() =>
        {
            Assert.That(counter.Count, Is.Zero);
            Assert.That(counter.HeadersComplete, Is.True);
        });
    }

    [Test]
    public void Headers_not_yet_ended_are_not_complete()
    {
        var counter = new ReceivedHeaderCounter();
        counter.Feed("Received: x\r\nReceived: y\r\n"u8);
        Assert.Multiple(() =>
        {
            Assert.That(counter.Count, Is.EqualTo(2));
            Assert.That(counter.HeadersComplete, Is.False);
        });
    }
}
