using System.Buffers;
using System.Text;
using Sluice.Protocol;

namespace Sluice.Tests.Protocol;

public class CommandReaderTests
{
    private const string Batch =
        "EHLO client.example\r\n" +
        "MAIL FROM:<jane@example.org> SIZE=1000 BODY=8BITMIME\r\n" +
        "RCPT TO:<bob@example.net> NOTIFY=SUCCESS,FAILURE\r\n" +
        "RCPT TO:<\"carol smith\"@[192.0.2.7]>\r\n" +
        "DATA\r\n";

    /// <summary>Reads every command of <paramref name="input"/>, as a session would over one buffer.</summary>
    private static (List<SmtpCommand> Commands, List<CommandReadStatus> Statuses, long Consumed) ReadAll(
        ReadOnlySequence<byte> input, CommandReaderState? state = null)
    {
        state ??= new CommandReaderState();
        var reader = new SequenceReader<byte>(input);
        var commands = new List<SmtpCommand>();
        var statuses = new List<CommandReadStatus>();
        for (int guard = 0; guard < 10_000; guard++)
        {
            var status = SmtpCommandReader.TryReadCommand(ref reader, state, out var command);
            if (status == CommandReadStatus.NeedMoreData)
            {
                return (commands, statuses, reader.Consumed);
            }

            statuses.Add(status);
            if (status == CommandReadStatus.Command)
            {
                commands.Add(command);
            }
        }

        throw new InvalidOperationException("The reader did not stop.");
    }

    private static string Describe(SmtpCommand c) =>
        $"{c.Verb}|{c.Error}|{c.Domain}|{c.Path.Address}|{c.Parameters.Size}|{c.Parameters.Body}|{c.Parameters.Notify}|{c.Parameters.Present}";

    [Test]
    public void A_pipelined_batch_parses_in_order()
    {
        var (commands, _, consumed) = ReadAll(new ReadOnlySequence<byte>(Segments.Bytes(Batch)));
        Assert.That(commands.Select(c => c.Verb), Is.EqualTo(new[] { SmtpVerb.Ehlo, SmtpVerb.Mail, SmtpVerb.Rcpt, SmtpVerb.Rcpt, SmtpVerb.Data }));
        Assert.Multiple(() =>
        {
            Assert.That(consumed, Is.EqualTo(Batch.Length));
            Assert.That(commands.All(c => c.IsValid), Is.True);
            Assert.That(commands[0].Domain, Is.EqualTo("client.example"));
            Assert.That(commands[1].Path.Address, Is.EqualTo("jane@example.org"));
            Assert.That(commands[1].Parameters.Size, Is.EqualTo(1000));
            Assert.That(commands[2].Parameters.Notify, Is.EqualTo(DsnNotify.Success | DsnNotify.Failure));
            Assert.That(commands[3].Path.Address, Is.EqualTo("\"carol smith\"@[192.0.2.7]"));
        });
    }

    [Test]
    public void The_batch_split_at_every_byte_position_parses_identically()
    {
        var bytes = Segments.Bytes(Batch);
        var expected = ReadAll(new ReadOnlySequence<byte>(bytes)).Commands.Select(Describe).ToList();
        Assert.That(expected, Has.Count.EqualTo(5));
        for (int split = 0; split <= bytes.Length; split++)
        {
            var (commands, _, consumed) = ReadAll(Segments.SplitAt(bytes, split));
            Assert.That(commands.Select(Describe), Is.EqualTo(expected), $"split at {split}");
            Assert.That(consumed, Is.EqualTo(bytes.Length), $"split at {split}");
        }
    }

    [Test]
    public void The_batch_split_into_three_segments_at_every_pair_of_positions_parses_identically()
    {
        var bytes = Segments.Bytes(Batch);
        var expected = ReadAll(new ReadOnlySequence<byte>(bytes)).Commands.Select(Describe).ToList();
        for (int a = 0; a <= bytes.Length; a += 3)
        {
            for (int b = a; b <= bytes.Length; b += 7)
            {
                var (commands, _, _) = ReadAll(Segments.SplitAt(bytes, a, b));
                Assert.That(commands.Select(Describe), Is.EqualTo(expected), $"split at {a},{b}");
            }
        }
    }

    [Test]
    public void The_batch_arriving_one_byte_at_a_time_parses_identically()
    {
        // The session's loop: whatever is unconsumed stays buffered, new bytes are appended.
        var bytes = Segments.Bytes(Batch);
        var expected = ReadAll(new ReadOnlySequence<byte>(bytes)).Commands.Select(Describe).ToList();
        var state = new CommandReaderState();
        var got = new List<string>();
        int start = 0;
        for (int end = 1; end <= bytes.Length; end++)
        {
            var (commands, _, consumed) = ReadAll(Segments.Chunked(bytes[start..end], 1), state);
            got.AddRange(commands.Select(Describe));
            start += (int)consumed;
        }

        Assert.That(got, Is.EqualTo(expected));
        Assert.That(start, Is.EqualTo(bytes.Length));
    }

    [Test]
    public void An_incomplete_line_needs_more_data_and_consumes_nothing()
    {
        var state = new CommandReaderState();
        foreach (var partial in new[] { "", "M", "MAIL FROM:<a@b.example>", "MAIL FROM:<a@b.example>\r" })
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Segments.Bytes(partial)));
            var status = SmtpCommandReader.TryReadCommand(ref reader, state, out _);
            Assert.That(status, Is.EqualTo(CommandReadStatus.NeedMoreData), partial);
            Assert.That(reader.Consumed, Is.Zero, partial);
        }
    }

    [Test]
    public void Bare_lf_is_not_a_line_end()
    {
        // "NOOP\nQUIT\r\n" is one line with a bare LF inside: one syntax error, not two commands.
        var (commands, _, consumed) = ReadAll(new ReadOnlySequence<byte>(Segments.Bytes("NOOP\nQUIT\r\nRSET\r\n")));
        Assert.That(commands, Has.Count.EqualTo(2));
        Assert.Multiple(() =>
        {
            Assert.That(commands[0].Verb, Is.EqualTo(SmtpVerb.Noop));
            Assert.That(commands[0].Error, Is.EqualTo(SmtpCommandError.Syntax));
            Assert.That(commands[1].Verb, Is.EqualTo(SmtpVerb.Rset));
            Assert.That(consumed, Is.EqualTo(17));
        });
    }

    [Test]
    public void Bare_lf_alone_waits_for_crlf()
    {
        var (commands, _, consumed) = ReadAll(new ReadOnlySequence<byte>(Segments.Bytes("QUIT\n")));
        Assert.Multiple(() =>
        {
            Assert.That(commands, Is.Empty);
            Assert.That(consumed, Is.Zero);
        });
    }

    [Test]
    public void Bare_cr_is_not_a_line_end()
    {
        var (commands, _, _) = ReadAll(new ReadOnlySequence<byte>(Segments.Bytes("RSET\rQUIT\r\n")));
        Assert.That(commands, Has.Count.EqualTo(1));
        Assert.That(commands[0].Error, Is.EqualTo(SmtpCommandError.Syntax));
    }

    [Test]
    public void Cr_cr_lf_ends_the_line_at_the_second_cr()
    {
        var (commands, _, consumed) = ReadAll(new ReadOnlySequence<byte>(Segments.Bytes("QUIT\r\r\n")));
        Assert.Multiple(() =>
        {
            Assert.That(commands, Has.Count.EqualTo(1));
            Assert.That(commands[0].Error, Is.EqualTo(SmtpCommandError.Syntax));
            Assert.That(consumed, Is.EqualTo(7));
        });
    }

    [TestCase(2046, true)]
    [TestCase(2047, false)]
    public void The_line_limit_is_2048_octets_including_crlf(int contentLength, bool accepted)
    {
        string line = "NOOP " + new string('x', contentLength - 5);
        var (commands, statuses, _) = ReadAll(new ReadOnlySequence<byte>(Segments.Bytes(line + "\r\nQUIT\r\n")));
        if (accepted)
        {
            Assert.That(statuses, Is.EqualTo(new[] { CommandReadStatus.Command, CommandReadStatus.Command }));
            Assert.That(commands.Select(c => c.Verb), Is.EqualTo(new[] { SmtpVerb.Noop, SmtpVerb.Quit }));
        }
        else
        {
            Assert.That(statuses, Is.EqualTo(new[] { CommandReadStatus.LineTooLong, CommandReadStatus.Command }));
            Assert.That(commands.Single().Verb, Is.EqualTo(SmtpVerb.Quit));
        }
    }

    [TestCase(2046, true)]
    [TestCase(2047, false)]
    public void The_line_limit_holds_at_every_split_near_the_end(int contentLength, bool accepted)
    {
        var bytes = Segments.Bytes("NOOP " + new string('x', contentLength - 5) + "\r\nQUIT\r\n");
        for (int split = contentLength - 4; split <= contentLength + 4; split++)
        {
            var (commands, statuses, consumed) = ReadAll(Segments.SplitAt(bytes, split));
            var expected = accepted
                ? new[] { CommandReadStatus.Command, CommandReadStatus.Command }
                : new[] { CommandReadStatus.LineTooLong, CommandReadStatus.Command };
            Assert.That(statuses, Is.EqualTo(expected), $"split {split}");
            Assert.That(commands.Last().Verb, Is.EqualTo(SmtpVerb.Quit));
            Assert.That(consumed, Is.EqualTo(bytes.Length));
        }
    }

    [Test]
    public void A_long_line_is_reported_once_and_discarded_as_it_arrives()
    {
        // A 100 000-octet line arriving in 1000-octet pieces: the reader never holds more than it must.
        var state = new CommandReaderState();
        var line = Segments.Bytes("MAIL FROM:<" + new string('a', 100_000) + "@b.example>\r\nQUIT\r\n");
        var statuses = new List<CommandReadStatus>();
        var commands = new List<SmtpCommand>();
        int start = 0;
        int maxBuffered = 0;
        for (int end = Math.Min(1000, line.Length); ; end = Math.Min(end + 1000, line.Length))
        {
            maxBuffered = Math.Max(maxBuffered, end - start);
            var (got, st, consumed) = ReadAll(new ReadOnlySequence<byte>(line[start..end]), state);
            commands.AddRange(got);
            statuses.AddRange(st);
            start += (int)consumed;
            if (end == line.Length)
            {
                break;
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(statuses, Is.EqualTo(new[] { CommandReadStatus.LineTooLong, CommandReadStatus.Command }));
            Assert.That(commands.Single().Verb, Is.EqualTo(SmtpVerb.Quit));
            Assert.That(maxBuffered, Is.LessThanOrEqualTo(SmtpCommandReader.MaxLineLength + 1000));
            Assert.That(start, Is.EqualTo(line.Length));
            Assert.That(state.DiscardingLongLine, Is.False);
        });
    }

    [Test]
    public void A_long_line_whose_crlf_straddles_reads_ends_discarding_exactly_there()
    {
        var line = Segments.Bytes(new string('z', 3000) + "\r\nNOOP\r\n");
        int crAt = 3000;
        var state = new CommandReaderState();
        var (_, st1, consumed1) = ReadAll(new ReadOnlySequence<byte>(line[..(crAt + 1)]), state);
        Assert.That(st1, Is.EqualTo(new[] { CommandReadStatus.LineTooLong }));
        Assert.That(state.DiscardingLongLine, Is.True);
        Assert.That(consumed1, Is.EqualTo(crAt), "the trailing CR is kept for the next read");
        var (commands, st2, consumed2) = ReadAll(new ReadOnlySequence<byte>(line[(int)consumed1..]), state);
        Assert.Multiple(() =>
        {
            Assert.That(st2, Is.EqualTo(new[] { CommandReadStatus.Command }));
            Assert.That(commands.Single().Verb, Is.EqualTo(SmtpVerb.Noop));
            Assert.That(consumed1 + consumed2, Is.EqualTo(line.Length));
        });
    }

    [Test]
    public void Discarding_does_not_end_at_a_bare_lf()
    {
        var state = new CommandReaderState();
        var (commands, statuses, _) = ReadAll(new ReadOnlySequence<byte>(Segments.Bytes(new string('y', 2100) + "\nQUIT\r\nNOOP\r\n")), state);
        Assert.Multiple(() =>
        {
            Assert.That(statuses, Is.EqualTo(new[] { CommandReadStatus.LineTooLong, CommandReadStatus.Command }));
            Assert.That(commands.Single().Verb, Is.EqualTo(SmtpVerb.Noop));
        });
    }

    [Test]
    public void Reset_forgets_a_long_line()
    {
        var state = new CommandReaderState();
        ReadAll(new ReadOnlySequence<byte>(new byte[3000]), state);
        Assert.That(state.DiscardingLongLine, Is.True);
        state.Reset();
        var (commands, _, _) = ReadAll(new ReadOnlySequence<byte>(Segments.Bytes("QUIT\r\n")), state);
        Assert.That(commands.Single().Verb, Is.EqualTo(SmtpVerb.Quit));
    }

    [Test]
    public void TryReadLine_returns_raw_lines_for_sasl()
    {
        var state = new CommandReaderState();
        var reader = new SequenceReader<byte>(Segments.SplitAt(Segments.Bytes("dXNlcg==\r\n*\r\n"), 4));
        Assert.That(SmtpCommandReader.TryReadLine(ref reader, state, out var first), Is.EqualTo(CommandReadStatus.Command));
        Assert.That(Encoding.ASCII.GetString(first.ToArray()), Is.EqualTo("dXNlcg=="));
        Assert.That(SmtpCommandReader.TryReadLine(ref reader, state, out var second), Is.EqualTo(CommandReadStatus.Command));
        Assert.That(Encoding.ASCII.GetString(second.ToArray()), Is.EqualTo("*"));
        Assert.That(SmtpCommandReader.TryReadLine(ref reader, state, out _), Is.EqualTo(CommandReadStatus.NeedMoreData));
    }

    [Test]
    public void TryReadLine_accepts_a_longer_limit_for_sasl_responses()
    {
        var token = new string('T', 12286);
        var state = new CommandReaderState();
        var reader = new SequenceReader<byte>(Segments.Chunked(Segments.Bytes(token + "\r\n" + token + "X\r\nQUIT\r\n"), 4096));
        Assert.That(SmtpCommandReader.TryReadLine(ref reader, state, out var line, maxLength: 12288), Is.EqualTo(CommandReadStatus.Command));
        Assert.That(line.Length, Is.EqualTo(12286));
        Assert.That(SmtpCommandReader.TryReadLine(ref reader, state, out _, maxLength: 12288), Is.EqualTo(CommandReadStatus.LineTooLong));
        Assert.That(SmtpCommandReader.TryReadCommand(ref reader, state, out var quit), Is.EqualTo(CommandReadStatus.Command));
        Assert.That(quit.Verb, Is.EqualTo(SmtpVerb.Quit));
    }

    [Test]
    public void Commands_after_a_long_line_in_the_same_buffer_are_read()
    {
        var input = Segments.Bytes(new string('q', 5000) + "\r\nRSET\r\nQUIT\r\n");
        for (int split = 0; split <= input.Length; split += 97)
        {
            var (commands, statuses, consumed) = ReadAll(Segments.SplitAt(input, split));
            Assert.That(statuses, Is.EqualTo(new[] { CommandReadStatus.LineTooLong, CommandReadStatus.Command, CommandReadStatus.Command }), $"split {split}");
            Assert.That(commands.Select(c => c.Verb), Is.EqualTo(new[] { SmtpVerb.Rset, SmtpVerb.Quit }));
            Assert.That(consumed, Is.EqualTo(input.Length));
        }
    }
}
