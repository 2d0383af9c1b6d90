using System.Buffers;
using System.Text;
using Sluice.Queue;

namespace Sluice.Tests.Queue;

[TestFixture]
public sealed class EnvelopeJsonTests
{
    internal static MessageEnvelope FullEnvelope() => new()
    {
        Id = "01JEC3ZB7R9M2K4T6V8W0X1Y2Z",
        From = "sender@example.org",
        To =
        [
            new EnvelopeRecipient("a@example.com") { Orcpt = "rfc822;a@example.com", Notify = DsnNotify.Success | DsnNotify.Failure },
            new EnvelopeRecipient("b@example.com") { Notify = DsnNotify.Never },
        ],
        ReceivedAt = new DateTimeOffset(2026, 12, 4, 23, 8, 9, TimeSpan.FromHours(1)),
        RemoteIp = "192.0.2.7",
        Helo = "mx.example.org",
        AuthenticatedAs = "alice",
        Size = 1234,
        Body = MessageBodyType.EightBitMime,
        SmtpUtf8 = true,
        RequireTls = true,
        EnvId = "QQ314159",
        Ret = DsnReturn.Headers,
        Priority = -3,
        HoldUntil = new DateTimeOffset(2026, 12, 5, 6, 0, 0, 500, TimeSpan.Zero),
        By = new DeliverBy(3600, DeliverByMode.Return, Trace: true),
        Folder = "Archive",
    };

    [Test]
    public void Full_envelope_is_written_exactly()
    {
        const string expected = """
            {
              "id": "01JEC3ZB7R9M2K4T6V8W0X1Y2Z",
              "from": "sender@example.org",
              "to": [
                {
                  "address": "a@example.com",
                  "orcpt": "rfc822;a@example.com",
                  "notify": [
                    "SUCCESS",
                    "FAILURE"
                  ]
                },
                {
                  "address": "b@example.com",
                  "orcpt": null,
                  "notify": [
                    "NEVER"
                  ]
                }
              ],
              "received-at": "2026-12-04T22:08:09Z",
              "remote-ip": "192.0.2.7",
              "helo": "mx.example.org",
              "authenticated-as": "alice",
              "size": 1234,
              "body": "8BITMIME",
              "smtputf8": true,
              "requiretls": true,
              "env-id": "QQ314159",
              "ret": "HDRS",
              "priority": -3,
              "hold-until": "2026-12-05T06:00:00.5Z",
              "by": {
                "time": 3600,
                "mode": "R",
                "trace": true
              },
              "folder": "Archive"
            }

            """;

        Assert.That(Text(FullEnvelope()), Is.EqualTo(expected));
    }

    [Test]
    public void Minimal_envelope_has_every_field_with_nulls_and_defaults()
    {
        var envelope = new MessageEnvelope
        {
            Id = "A1",
            From = "",
            To = [new EnvelopeRecipient("postmaster@example.com")],
            ReceivedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
            Size = 0,
        };

        const string expected = """
            {
              "id": "A1",
              "from": "",
              "to": [
                {
                  "address": "postmaster@example.com",
                  "orcpt": null,
                  "notify": null
                }
              ],
              "received-at": "2026-01-02T03:04:05Z",
              "remote-ip": null,
              "helo": null,
              "authenticated-as": null,
              "size": 0,
              "body": "7BIT",
              "smtputf8": false,
              "requiretls": false,
              "env-id": null,
              "ret": null,
              "priority": null,
              "hold-until": null,
              "by": null,
              "folder": null
            }

            """;

        Assert.That(Text(envelope), Is.EqualTo(expected));
    }

    [TestCase(DsnNotify.Never, "[\"NEVER\"]")]
    [TestCase(DsnNotify.Delay | DsnNotify.Success, "[\"SUCCESS\",\"DELAY\"]")]
    [TestCase(DsnNotify.Failure | DsnNotify.Delay | DsnNotify.Success, "[\"SUCCESS\",\"FAILURE\",\"DELAY\"]")]
    public void Notify_is_an_array_of_keywords_in_RFC_order(DsnNotify notify, string expected)
    {
        var envelope = FullEnvelope() with { To = [new EnvelopeRecipient("a@b") { Notify = notify }] };
        var compact = string.Concat(Text(envelope).Where(c => !char.IsWhiteSpace(c)));
        Assert.That(compact, Does.Contain($"\"notify\":{expected}}}"));
    }

    [TestCase(MessageBodyType.SevenBit, "7BIT")]
    [TestCase(MessageBodyType.EightBitMime, "8BITMIME")]
    [TestCase(MessageBodyType.BinaryMime, "BINARYMIME")]
    public void Body_is_written_as_the_SMTP_keyword(MessageBodyType body, string keyword)
    {
        Assert.That(Text(FullEnvelope() with { Body = body }), Does.Contain($"\"body\": \"{keyword}\","));
    }

    [TestCase(DsnReturn.Full, "\"FULL\"")]
    [TestCase(DsnReturn.Headers, "\"HDRS\"")]
    [TestCase(null, "null")]
    public void Ret_is_FULL_HDRS_or_null(DsnReturn? ret, string json)
    {
        Assert.That(Text(FullEnvelope() with { Ret = ret }), Does.Contain($"\"ret\": {json},"));
    }

    [Test]
    public void Non_ASCII_text_is_written_as_UTF8_not_escaped()
    {
        var envelope = FullEnvelope() with { From = "jörg@bücher.example", To = [new EnvelopeRecipient("用户@例子.广告")] };
        var text = Text(envelope);
        Assert.That(text, Does.Contain("\"from\": \"jörg@bücher.example\""));
        Assert.That(text, Does.Contain("\"address\": \"用户@例子.广告\""));
    }

    [Test]
    public void Written_envelope_reads_back_the_same()
    {
        var original = FullEnvelope();
        var bytes = EnvelopeJson.ToUtf8Bytes(original);
        var read = EnvelopeJson.Read(bytes);

        // Records compare lists by reference: compare the recipients apart. Times compare as instants.
        Assert.That(read with { To = original.To }, Is.EqualTo(original));
        Assert.That(read.To, Is.EqualTo(original.To));
        Assert.That(EnvelopeJson.ToUtf8Bytes(read), Is.EqualTo(bytes));
    }

    [Test]
    public void Stream_and_buffer_writers_give_the_same_bytes()
    {
        using var stream = new MemoryStream();
        EnvelopeJson.Write(stream, FullEnvelope());
        Assert.That(stream.ToArray(), Is.EqualTo(EnvelopeJson.ToUtf8Bytes(FullEnvelope())));
    }

    /// <summary>Envelopes for holding the hand-written writer to the serializer: every field set and unset,
    /// text that must be escaped, non-ASCII text, undefined enum values.</summary>
    private static IEnumerable<MessageEnvelope> VariedEnvelopes()
    {
        yield return FullEnvelope();
        yield return new MessageEnvelope { From = "", To = [new EnvelopeRecipient("a@b")], ReceivedAt = DateTimeOffset.UnixEpoch };
        yield return FullEnvelope() with
        {
            From = "\"quoted\\local\"@example.org",
            Helo = "<tag>&amp;\u0001\u007f\u2028",
            To = [new EnvelopeRecipient("用户@例子.广告") { Orcpt = "utf-8;x\u00e9", Notify = DsnNotify.None }],
            Folder = "INBOX/Ärger",
            ReceivedAt = new DateTimeOffset(2026, 12, 4, 23, 8, 9, 123, TimeSpan.FromHours(-5)),
        };
        yield return FullEnvelope() with
        {
            Body = (MessageBodyType)7,
            Ret = (DsnReturn)9,
            By = new DeliverBy(-5, (DeliverByMode)3, false),
            Priority = 9,
            HoldUntil = null,
            Size = long.MaxValue,
        };
        yield return FullEnvelope() with { Ret = DsnReturn.Full, By = new DeliverBy(0, DeliverByMode.Notify, false), To = [] };
    }

    [Test]
    public void The_hand_written_writer_gives_the_serializer_bytes()
    {
        var options = new System.Text.Json.JsonWriterOptions
        {
            Indented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        foreach (var envelope in VariedEnvelopes())
        {
            var expected = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new System.Text.Json.Utf8JsonWriter(expected, options))
            {
                System.Text.Json.JsonSerializer.Serialize(writer, envelope, EnvelopeJsonContext.Default.MessageEnvelope);
            }

            expected.Write("\n"u8);
            var rented = EnvelopeJson.RentUtf8Bytes(envelope, out var length);
            Assert.Multiple(() =>
            {
                Assert.That(Encoding.UTF8.GetString(EnvelopeJson.ToUtf8Bytes(envelope)), Is.EqualTo(Encoding.UTF8.GetString(expected.WrittenSpan)));
                Assert.That(rented.AsSpan(0, length).ToArray(), Is.EqualTo(expected.WrittenSpan.ToArray()), "the pooled copy");
            });
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static string Text(MessageEnvelope envelope) => Encoding.UTF8.GetString(EnvelopeJson.ToUtf8Bytes(envelope));
}
