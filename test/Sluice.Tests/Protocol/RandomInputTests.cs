using System.Buffers;
using System.Text;
using Sluice.Protocol;

namespace Sluice.Tests.Protocol;

/// <summary>Seeded random inputs: round trips and invariants that must hold for any bytes.</summary>
public class RandomInputTests
{
    /// <summary>What a correct client sends for <paramref name="message"/> (which ends in CRLF): RFC 5321 4.5.2 stuffing plus the terminator.</summary>
    private static byte[] Stuff(byte[] message)
    {
        var wire = new List<byte>(message.Length + 16);
        bool lineStart = true;
        for (int i = 0; i < message.Length; i++)
        {
            if (lineStart && message[i] == (byte)'.')
            {
                wire.Add((byte)'.');
            }

            wire.Add(message[i]);
            lineStart = message[i] == (byte)'\n' && i > 0 && message[i - 1] == (byte)'\r';
        }

        wire.AddRange(".\r\n"u8.ToArray());
        return [.. wire];
    }

    private static byte[] RandomMessage(Random random, int length)
    {
        ReadOnlySpan<byte> alphabet = ".\r\na "u8;
        var message = new byte[length + 2];
        for (int i = 0; i < length; i++)
        {
            message[i] = alphabet[random.Next(alphabet.Length)];
        }

        message[length] = (byte)'\r';
        message[length + 1] = (byte)'\n';
        return message;
    }

    [Test]
    public void Any_message_a_correct_client_stuffs_comes_back_byte_for_byte()
    {
        var random = new Random(5321);
        for (int round = 0; round < 3000; round++)
        {
            var message = RandomMessage(random, random.Next(0, 40));
            var wire = Stuff(message);
            var trailing = "MAIL FROM:<>\r\n"u8.ToArray();
            var input = wire.Concat(trailing).ToArray();
            int split = random.Next(0, input.Length + 1);
            int split2 = random.Next(split, input.Length + 1);

            var reader = new SmtpDataReader();
            var output = new ArrayBufferWriter<byte>();
            var seq = new SequenceReader<byte>(Segments.SplitAt(input, split, split2));
            var status = reader.Read(ref seq, output);

            Assert.That(status, Is.EqualTo(DataReadStatus.Completed), Convert.ToHexString(input));
            Assert.That(output.WrittenSpan.ToArray(), Is.EqualTo(message), Convert.ToHexString(input));
            Assert.That(seq.Consumed, Is.EqualTo(wire.Length), Convert.ToHexString(input));
        }
    }

    [Test]
    public void Random_bytes_never_break_the_command_reader()
    {
        var random = new Random(2920);
        ReadOnlySpan<byte> alphabet = "MAIL FROM:<a@b.example>RCPT TO:\"\\[]@,;=+<> \r\n\t\u00c3\u00a9SIZE=BODY"u8;
        var state = new CommandReaderState();
        for (int round = 0; round < 3000; round++)
        {
            var input = new byte[random.Next(0, 3000)];
            for (int i = 0; i < input.Length; i++)
            {
                input[i] = random.Next(10) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
            }

            state.Reset();
            var reader = new SequenceReader<byte>(Segments.Chunked(input, random.Next(1, 64)));
            int calls = 0;
            CommandReadStatus status;
            while ((status = SmtpCommandReader.TryReadCommand(ref reader, state, out var command)) != CommandReadStatus.NeedMoreData)
            {
                Assert.That(++calls, Is.LessThanOrEqualTo(input.Length), "each call consumes something");
                if (status == CommandReadStatus.Command && command.Verb == SmtpVerb.Unknown)
                {
                    Assert.That(command.Error, Is.EqualTo(SmtpCommandError.UnknownCommand));
                }
            }

            Assert.That(reader.Consumed, Is.LessThanOrEqualTo(input.Length));
            Assert.That(input.Length - reader.Consumed, Is.LessThan(SmtpCommandReader.MaxLineLength), "never more than one line's worth is left buffered");
        }
    }

    [Test]
    public void Random_bytes_never_break_the_data_reader()
    {
        var random = new Random(3030);
        for (int round = 0; round < 2000; round++)
        {
            var input = new byte[random.Next(0, 500)];
            for (int i = 0; i < input.Length; i++)
            {
                input[i] = ".\r\nx"u8[random.Next(4)];
            }

            var reader = new SmtpDataReader(random.Next(0, 600));
            var output = new ArrayBufferWriter<byte>();
            var seq = new SequenceReader<byte>(Segments.Chunked(input, random.Next(1, 32)));
            var status = reader.Read(ref seq, output);
            int end = Encoding.ASCII.GetString(input).StartsWith(".\r\n", StringComparison.Ordinal)
                ? 3
                : Encoding.ASCII.GetString(input).IndexOf("\r\n.\r\n", StringComparison.Ordinal) is int at and >= 0 ? at + 5 : -1;

            Assert.That(status, Is.EqualTo(end >= 0 ? DataReadStatus.Completed : DataReadStatus.NeedMoreData));
            Assert.That(seq.Consumed, Is.EqualTo(end >= 0 ? end : input.Length), "the first CRLF.CRLF and nothing else ends the data");
            Assert.That(output.WrittenCount, Is.LessThanOrEqualTo(Math.Min(input.Length, reader.MaxMessageSize)));
            Assert.That(reader.TooBig, Is.EqualTo(reader.MessageSize > reader.MaxMessageSize));
        }
    }
}
