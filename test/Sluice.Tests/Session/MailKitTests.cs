using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Sluice.Tests.Session;

/// <summary>
/// MailKit's <see cref="SmtpClient"/> sends real messages; the stored <c>.eml</c> must be the added
/// headers followed byte for byte by what MailKit put on the wire (captured by <see cref="RecordingStream"/>).
/// </summary>
[Parallelizable(ParallelScope.Children)]
public class MailKitTests
{
    private static readonly Regex s_addedHeaders = new(
        @"\AReturn-Path: <[^>\r\n]*>\r\nReceived: from client\.example \(unknown \[127\.0\.0\.1\]\)\r\n\tby mx\.test\.example \(Sluice\) with (ESMTP|UTF8SMTP) id (?<id>[A-Za-z0-9_-]+)(\r\n\tfor <[^>\r\n]+>)?;\r\n\t[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d \+0000\r\n\z",
        RegexOptions.CultureInvariant);

    private sealed record Sent(string Id, RecordingStream.Payload Payload, IReadOnlyList<string> Commands);

    /// <summary>An SmtpClient that sends with BDAT whenever the server offers CHUNKING.</summary>
    private sealed class BdatSmtpClient : SmtpClient
    {
        protected override bool PreferSendAsBinaryData => true;
    }

    private static async Task<Sent> SendAsync(SessionServer server, MimeMessage message, bool keepPayload = true, bool preferBdat = false)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.EndPoint);
        using var recorder = new RecordingStream(tcp.GetStream(), keepPayload);
        using var smtp = preferBdat ? new BdatSmtpClient() : new SmtpClient();
        smtp.Timeout = 60_000;
        smtp.LocalDomain = "client.example";
        await smtp.ConnectAsync(recorder, "127.0.0.1", server.EndPoint.Port, SecureSocketOptions.None);
        var response = await smtp.SendAsync(message);
        await smtp.DisconnectAsync(quit: true);
        Assert.That(recorder.Payloads, Has.Count.EqualTo(1), "one message went over the wire");
        Assert.That(response, Does.StartWith("2.0.0 "));
        var id = response[(response.LastIndexOf(' ') + 1)..].TrimEnd('.');
        return new Sent(id, recorder.Payloads[0], recorder.Commands);
    }

    /// <summary>Checks the .eml is the added headers followed by the payload, reading the file in a stream (never whole).</summary>
    private static string AssertStoredEqualsWire(SessionServer server, Sent sent)
    {
        using var file = File.OpenRead(server.EmlPath(sent.Id));
        var headerLength = file.Length - sent.Payload.Length;
        Assert.That(headerLength, Is.InRange(100, 2000), "added headers of a plausible length");
        var header = new byte[headerLength];
        file.ReadExactly(header);
        var added = Encoding.UTF8.GetString(header);
        var match = s_addedHeaders.Match(added);
        Assert.That(match.Success, Is.True, "the stored message starts with the added headers, then the wire bytes:\n" + added);
        Assert.That(match.Groups["id"].Value, Is.EqualTo(sent.Id));

        if (sent.Payload.Bytes is { } bytes)
        {
            var rest = new byte[file.Length - headerLength];
            file.ReadExactly(rest);
            Assert.That(rest, Is.EqualTo(bytes), "stored bytes after the added headers = bytes MailKit sent");
        }
        else
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 20];
            int n;
            while ((n = file.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, n);
            }
            Assert.That(hash.GetHashAndReset(), Is.EqualTo(sent.Payload.Sha256), "stored bytes after the added headers = bytes MailKit sent (SHA-256)");
        }
        Assert.That(server.Json(sent.Id).GetProperty("size").GetInt64(), Is.EqualTo(file.Length));
        return added;
    }

    private static MimeMessage Message(string from, string to, MimeEntity body, string subject = "test")
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = body;
        return message;
    }

    [Test]
    public async Task Plain_ascii_message_with_data()
    {
        await using var server = await SessionServer.StartAsync("[session.extensions]\nchunking = false");
        var text = new StringBuilder();
        for (var i = 0; i < 200; i++)
        {
            text.Append(i % 7 == 0 ? "." : string.Empty).Append("line ").Append(i).Append(" of a plain message\r\n");
        }
        text.Append(".\r\n..\r\n");
        var message = Message("alice@client.example", "bob@mx.test.example", new TextPart("plain") { Text = text.ToString(), ContentTransferEncoding = ContentEncoding.SevenBit });
        var sent = await SendAsync(server, message);
        Assert.That(sent.Payload.Chunked, Is.False);
        Assert.That(sent.Commands, Has.Some.EqualTo("DATA"));
        AssertStoredEqualsWire(server, sent);
        var json = server.Json(sent.Id);
        Assert.That(json.GetProperty("from").GetString(), Is.EqualTo("alice@client.example"));
        Assert.That(json.GetProperty("body").GetString(), Is.EqualTo("7BIT"));
    }

    [Test]
    public async Task Eight_bit_message_with_body_8bitmime()
    {
        await using var server = await SessionServer.StartAsync("[session.extensions]\nchunking = false");
        var body = new TextPart("plain") { Text = "Grüße aus Köln — ça va? ñ\r\n", ContentTransferEncoding = ContentEncoding.EightBit };
        body.ContentType.Charset = "utf-8";
        var sent = await SendAsync(server, Message("alice@client.example", "bob@mx.test.example", body, "8-bit"));
        Assert.That(sent.Commands, Has.Some.Match("^MAIL FROM:<alice@client.example>.* BODY=8BITMIME"));
        Assert.That(sent.Payload.Bytes, Is.Not.Null);
        Assert.That(sent.Payload.Bytes!.Any(b => b >= 0x80), Is.True, "the body went as 8-bit");
        AssertStoredEqualsWire(server, sent);
        Assert.That(server.Json(sent.Id).GetProperty("body").GetString(), Is.EqualTo("8BITMIME"));
    }

    [Test]
    public async Task Utf8_addresses_with_smtputf8()
    {
        await using var server = await SessionServer.StartAsync("[session.extensions]\nchunking = false");
        var body = new TextPart("plain") { Text = "Hallo Jörg\r\n", ContentTransferEncoding = ContentEncoding.EightBit };
        var sent = await SendAsync(server, Message("jörg@bücher.example", "δοκιμή@mx.test.example", body, "Grüße"));
        Assert.That(sent.Commands, Has.Some.Match("^MAIL FROM:<jörg@bücher.example>.* SMTPUTF8"));
        Assert.That(sent.Commands, Has.Some.EqualTo("RCPT TO:<δοκιμή@mx.test.example>"));
        Assert.That(AssertStoredEqualsWire(server, sent), Does.Contain(" with UTF8SMTP id "));
        var json = server.Json(sent.Id);
        Assert.That(json.GetProperty("smtputf8").GetBoolean(), Is.True);
        Assert.That(json.GetProperty("from").GetString(), Is.EqualTo("jörg@bücher.example"));
        Assert.That(json.GetProperty("to")[0].GetProperty("address").GetString(), Is.EqualTo("δοκιμή@mx.test.example"));
    }

    [Test]
    public async Task Binary_message_with_bdat()
    {
        await using var server = await SessionServer.StartAsync();
        var data = new byte[70_000];
        new Random(42).NextBytes(data);
        var attachment = new MimePart("application", "octet-stream")
        {
            Content = new MimeContent(new MemoryStream(data)),
            ContentTransferEncoding = ContentEncoding.Binary,
            FileName = "random.bin",
        };
        var body = new Multipart("mixed") { new TextPart("plain") { Text = "see attached\r\n" }, attachment };
        var sent = await SendAsync(server, Message("alice@client.example", "bob@mx.test.example", body));
        Assert.That(sent.Payload.Chunked, Is.True, "MailKit used BDAT");
        Assert.That(sent.Commands, Has.Some.StartWith("BDAT "));
        Assert.That(sent.Commands, Has.None.EqualTo("DATA"));
        Assert.That(sent.Commands, Has.Some.Match("^MAIL FROM:<alice@client.example>.* BODY=BINARYMIME"));
        AssertStoredEqualsWire(server, sent);
        Assert.That(server.Json(sent.Id).GetProperty("body").GetString(), Is.EqualTo("BINARYMIME"));
    }

    [Test]
    public async Task Text_message_with_bdat_when_preferred()
    {
        await using var server = await SessionServer.StartAsync();
        var message = Message("alice@client.example", "bob@mx.test.example", new TextPart("plain") { Text = ".dot\r\n.\r\nend\r\n" });
        var sent = await SendAsync(server, message, preferBdat: true);
        Assert.That(sent.Commands, Has.Some.StartWith("BDAT "));
        Assert.That(sent.Payload.Chunked, Is.True);
        AssertStoredEqualsWire(server, sent);
    }

    [TestCase(false, TestName = "Hundred_megabyte_message_with_data")]
    [TestCase(true, TestName = "Hundred_megabyte_message_with_bdat")]
    public async Task Hundred_megabyte_message(bool chunking)
    {
        await using var server = await SessionServer.StartAsync($"""
            [session.extensions]
            chunking = {(chunking ? "true" : "false")}
            [session.data.limits]
            size = "110mb"
            """);
        const long size = 100L * 1024 * 1024;
        var part = new MimePart("text", "plain")
        {
            Content = new MimeContent(new GeneratedTextStream(size)),
            ContentTransferEncoding = ContentEncoding.SevenBit,
        };
        var sent = await SendAsync(server, Message("alice@client.example", "bob@mx.test.example", part, "big"), keepPayload: false, preferBdat: chunking);
        Assert.That(sent.Payload.Length, Is.GreaterThan(size));
        Assert.That(sent.Commands, Has.Some.Match(@"^MAIL FROM:<alice@client.example>.* SIZE=\d+"), "MailKit announces SIZE=");
        Assert.That(sent.Payload.Chunked, Is.EqualTo(chunking));
        AssertStoredEqualsWire(server, sent);
    }

    /// <summary>A seekable stream of <c>length</c> bytes of CRLF-terminated text lines (some starting with a dot), made as it is read.</summary>
    private sealed class GeneratedTextStream(long length) : Stream
    {
        private const int LineLength = 78; // 76 characters + CRLF
        private static readonly byte[] s_block = MakeBlock();
        private long _position;

        /// <summary>130 lines (the pattern repeats after 26 × 5 lines): every fifth line starts with a dot.</summary>
        private static byte[] MakeBlock()
        {
            var block = new byte[130 * LineLength];
            for (var i = 0; i < block.Length; i++)
            {
                block[i] = ByteAt(i);
            }
            return block;
        }

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => _position = value; }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, length - _position);
            var done = 0;
            while (done < n)
            {
                var offset = (int)((_position + done) % s_block.Length);
                var take = Math.Min(n - done, s_block.Length - offset);
                s_block.AsSpan(offset, take).CopyTo(buffer[done..]);
                done += take;
            }
            _position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            _position = origin switch { SeekOrigin.Begin => offset, SeekOrigin.Current => _position + offset, _ => length + offset };
            return _position;
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private static byte ByteAt(long position)
        {
            var line = position / LineLength;
            var column = (int)(position % LineLength);
            return column switch
            {
                LineLength - 2 => (byte)'\r',
                LineLength - 1 => (byte)'\n',
                0 when line % 5 == 0 => (byte)'.',
                _ => (byte)('a' + (int)((line + column) % 26)),
            };
        }
    }
}
