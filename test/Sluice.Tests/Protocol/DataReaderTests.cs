using System.Buffers;
using System.Text;
using Sluice.Protocol;

namespace Sluice.Tests.Protocol;

public class DataReaderTests
{
    private sealed record Outcome(string Message, DataReadStatus Status, long Consumed, bool TooBig, long Size, int Received);

    private static Outcome Run(ReadOnlySequence<byte> input, long limit = long.MaxValue)
    {
        var reader = new SmtpDataReader(limit);
        var output = new ArrayBufferWriter<byte>();
        var seq = new SequenceReader<byte>(input);
        var status = reader.Read(ref seq, output);
        return new Outcome(Encoding.Latin1.GetString(output.WrittenSpan), status, seq.Consumed, reader.TooBig, reader.MessageSize, reader.ReceivedHeaderCount);
    }

    private static Outcome Run(string input, long limit = long.MaxValue) =>
        Run(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(input)), limit);

    [TestCase("Subject: hi\r\n\r\nbody\r\n.\r\n", "Subject: hi\r\n\r\nbody\r\n")]
    [TestCase(".\r\n", "")]
    [TestCase("\r\n.\r\n", "\r\n")]
    [TestCase("..\r\n.\r\n", ".\r\n")]
    [TestCase("...\r\n.\r\n", "..\r\n")]
    [TestCase("a\r\n..b\r\n.\r\n", "a\r\n.b\r\n")]
    [TestCase("a\r\n.b\r\n.\r\n", "a\r\nb\r\n")]
    [TestCase("a\r\n..\r\n.\r\n", "a\r\n.\r\n")]
    [TestCase(".x\r\n.\r\n", "x\r\n")]
    [TestCase("a.\r\n.\r\n", "a.\r\n")]
    [TestCase("a\r\n \r\n.\r\n", "a\r\n \r\n")]
    [TestCase("line\r\n.\r\nNOOP\r\n", "line\r\n")]
    public void Dot_stuffing_is_undone_and_the_terminator_ends_data(string input, string expected)
    {
        var result = Run(input);
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(DataReadStatus.Completed));
            Assert.That(result.Message, Is.EqualTo(expected));
            Assert.That(result.Size, Is.EqualTo(expected.Length));
            Assert.That(result.Consumed, Is.EqualTo(input.IndexOf("NOOP", StringComparison.Ordinal) is int n and >= 0 ? n : input.Length));
        });
    }

    // Smuggling vectors: none of these ends the data, and each is stored exactly as it came.
    [TestCase("a\n.\nb")]
    [TestCase("a\r.\rb")]
    [TestCase("a\n.\r\nb")]
    [TestCase("a\r.\r\nb")]
    [TestCase("a\r\n.\nb")]
    [TestCase("a\r\n.\rb")]
    [TestCase("a\r\n.\r.\r\nb")]
    [TestCase("a\n.\n\r\nb")]
    [TestCase("a\r\n.\n\r\nb")]
    [TestCase("\n.\r\nb")]
    [TestCase(".\nb")]
    [TestCase(".\rb")]
    [TestCase("a\r\r\n.\rb")]
    [TestCase("a\n\r.\r\nb")]
    [TestCase("a\r\n\n.\r\nb")]
    [TestCase("a\r\r.\r\nb")]
    public void Smuggling_vectors_do_not_end_data_and_are_stored_verbatim(string body)
    {
        string input = body + "\r\n.\r\n";
        var result = Run(input + "MAIL FROM:<evil@example.org>\r\n");
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(DataReadStatus.Completed));
            Assert.That(result.Message, Is.EqualTo(body + "\r\n"));
            Assert.That(result.Consumed, Is.EqualTo(input.Length));
        });
    }

    [Test]
    public void A_message_without_terminator_needs_more_data()
    {
        foreach (var partial in new[] { "", "abc", "abc\r", "abc\r\n", "abc\r\n.", "abc\r\n.\r", ".", ".\r" })
        {
            var result = Run(partial);
            Assert.That(result.Status, Is.EqualTo(DataReadStatus.NeedMoreData), partial);
            Assert.That(result.Consumed, Is.EqualTo(partial.Length), partial);
        }
    }

    [Test]
    public void Held_back_dot_is_written_once_the_next_octet_arrives()
    {
        var reader = new SmtpDataReader();
        var output = new ArrayBufferWriter<byte>();
        foreach (var piece in new[] { "a\r\n", ".", "\r", "x\r\n", ".", ".y\r\n", ".", "\r", "\n" })
        {
            var status = reader.Read(Encoding.ASCII.GetBytes(piece), output, out int consumed);
            Assert.That(consumed, Is.EqualTo(piece.Length));
            Assert.That(status, Is.EqualTo(piece == "\n" ? DataReadStatus.Completed : DataReadStatus.NeedMoreData));
        }

        Assert.That(Encoding.ASCII.GetString(output.WrittenSpan), Is.EqualTo("a\r\n.\rx\r\n.y\r\n"));
        Assert.That(reader.IsCompleted, Is.True);
    }

    private static readonly string[] SplitCorpus =
    [
        "Received: from a\r\nReceived: from b\r\n\r\n..dot\r\n.x\r\na\n.\nb\r\n.\n\r\n\r.\r\n.\r.\r\nend\r\n.\r\nQUIT\r\n",
        ".\r\n",
        "..\r\n.\r\n",
        "\r\n.\r\n",
        "x\r\n.\r\n",
    ];

    [Test]
    public void Every_split_into_two_segments_gives_the_same_message([Range(0, 4)] int corpus)
    {
        var bytes = Encoding.Latin1.GetBytes(SplitCorpus[corpus]);
        var expected = Run(new ReadOnlySequence<byte>(bytes));
        Assert.That(expected.Status, Is.EqualTo(DataReadStatus.Completed));
        for (int split = 0; split <= bytes.Length; split++)
        {
            Assert.That(Run(Segments.SplitAt(bytes, split)), Is.EqualTo(expected), $"split at {split}");
        }
    }

    [Test]
    public void Every_split_across_separate_reads_gives_the_same_message([Range(0, 4)] int corpus)
    {
        var bytes = Encoding.Latin1.GetBytes(SplitCorpus[corpus]);
        var expected = Run(new ReadOnlySequence<byte>(bytes));
        for (int split = 0; split <= bytes.Length; split++)
        {
            var reader = new SmtpDataReader();
            var output = new ArrayBufferWriter<byte>();
            var s1 = reader.Read(bytes.AsSpan(0, split), output, out int c1);
            long consumed = c1;
            if (s1 == DataReadStatus.NeedMoreData)
            {
                reader.Read(bytes.AsSpan(split), output, out int c2);
                consumed += c2;
            }

            Assert.Multiple(() =>
            {
                Assert.That(Encoding.Latin1.GetString(output.WrittenSpan), Is.EqualTo(expected.Message), $"split at {split}");
                Assert.That(consumed, Is.EqualTo(expected.Consumed), $"split at {split}");
                Assert.That(reader.ReceivedHeaderCount, Is.EqualTo(expected.Received), $"split at {split}");
            });
        }
    }

    [Test]
    public void One_byte_segments_give_the_same_message()
    {
        var bytes = Encoding.Latin1.GetBytes(SplitCorpus[0]);
        Assert.That(Run(Segments.Chunked(bytes, 1)), Is.EqualTo(Run(new ReadOnlySequence<byte>(bytes))));
    }

    [Test]
    public void Crlf_dot_crlf_split_at_every_position_over_every_boundary()
    {
        var prefix = new string('m', 10) + "\r\n";
        var bytes = Encoding.ASCII.GetBytes(prefix + ".\r\n" + "NOOP\r\n");
        for (int a = 0; a <= bytes.Length; a++)
        {
            for (int b = a; b <= bytes.Length; b++)
            {
                var result = Run(Segments.SplitAt(bytes, a, b));
                Assert.That(result.Message, Is.EqualTo(prefix), $"{a},{b}");
                Assert.That(result.Consumed, Is.EqualTo(prefix.Length + 3), $"{a},{b}");
            }
        }
    }

    [Test]
    public void Size_limit_drops_the_rest_but_reads_to_the_terminator()
    {
        string body = new string('a', 98) + "\r\n" + new string('b', 98) + "\r\n"; // 200 octets
        var exact = Run(body + ".\r\n", limit: 200);
        var over = Run(body + ".\r\nQUIT\r\n", limit: 199);
        Assert.Multiple(() =>
        {
            Assert.That(exact.TooBig, Is.False);
            Assert.That(exact.Message, Is.EqualTo(body));
            Assert.That(over.TooBig, Is.True);
            Assert.That(over.Status, Is.EqualTo(DataReadStatus.Completed));
            Assert.That(over.Consumed, Is.EqualTo(body.Length + 3));
            Assert.That(over.Size, Is.EqualTo(200));
            Assert.That(over.Message.Length, Is.LessThanOrEqualTo(199));
        });
    }

    [Test]
    public void Size_limit_holds_at_every_split()
    {
        var bytes = Encoding.ASCII.GetBytes("0123456789\r\n..abc\r\n.\r\n");
        for (int limit = 0; limit < 20; limit++)
        {
            for (int split = 0; split <= bytes.Length; split++)
            {
                var result = Run(Segments.SplitAt(bytes, split), limit);
                Assert.That(result.TooBig, Is.EqualTo(limit < 18), $"limit {limit} split {split}");
                Assert.That(result.Size, Is.EqualTo(18));
                Assert.That(result.Message.Length, Is.LessThanOrEqualTo(limit));
                Assert.That(result.Status, Is.EqualTo(DataReadStatus.Completed));
            }
        }
    }

    [Test]
    public void Empty_message_is_zero_octets()
    {
        var result = Run(".\r\n");
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(DataReadStatus.Completed));
            Assert.That(result.Message, Is.Empty);
            Assert.That(result.Size, Is.Zero);
            Assert.That(result.TooBig, Is.False);
        });
        Assert.That(Run(".\r\n", limit: 0).TooBig, Is.False);
    }

    [Test]
    public void Binary_and_8bit_octets_pass_unchanged()
    {
        var body = Enumerable.Range(0, 256).Select(i => (byte)i).Where(b => b != '\r').ToArray();
        var input = body.Concat(Encoding.ASCII.GetBytes("\r\n.\r\n")).ToArray();
        var reader = new SmtpDataReader();
        var output = new ArrayBufferWriter<byte>();
        var status = reader.Read(input, output, out _);
        Assert.That(status, Is.EqualTo(DataReadStatus.Completed));
        Assert.That(output.WrittenSpan.ToArray(), Is.EqualTo(body.Concat(Encoding.ASCII.GetBytes("\r\n")).ToArray()));
    }

    [Test]
    public void Null_output_only_counts()
    {
        var reader = new SmtpDataReader();
        var status = reader.Read(Encoding.ASCII.GetBytes("abc\r\n.\r\n"), null, out int consumed);
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(DataReadStatus.Completed));
            Assert.That(consumed, Is.EqualTo(8));
            Assert.That(reader.MessageSize, Is.EqualTo(5));
        });
    }

    [Test]
    public void A_completed_reader_consumes_nothing_until_reset()
    {
        var reader = new SmtpDataReader();
        reader.Read(Encoding.ASCII.GetBytes(".\r\n"), null, out _);
        Assert.That(reader.Read(Encoding.ASCII.GetBytes("x\r\n.\r\n"), null, out int consumed), Is.EqualTo(DataReadStatus.Completed));
        Assert.That(consumed, Is.Zero);
        reader.Reset(100);
        var output = new ArrayBufferWriter<byte>();
        Assert.That(reader.Read(Encoding.ASCII.GetBytes("x\r\n.\r\n"), output, out consumed), Is.EqualTo(DataReadStatus.Completed));
        Assert.That(Encoding.ASCII.GetString(output.WrittenSpan), Is.EqualTo("x\r\n"));
        Assert.That(reader.MaxMessageSize, Is.EqualTo(100));
    }

    [Test]
    public void Received_headers_are_counted_in_the_header_section_only()
    {
        var result = Run("Received: from a\r\n\tby b\r\nreceived : from c\r\nX-Received: no\r\nSubject: Received: no\r\n"
            + "RECEIVED:x\r\n\r\nReceived: in the body\r\n.\r\n");
        Assert.That(result.Received, Is.EqualTo(3));
    }
}
