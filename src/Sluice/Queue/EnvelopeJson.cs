using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Queue;

/// <summary>
/// The <c>.json</c> form of a <see cref="MessageEnvelope"/> (SPEC §2.9): kebab-case names in the
/// spec's order, every field present (<c>null</c> when not given), indented with two spaces, UTF-8
/// without escaping non-ASCII text (SMTPUTF8 addresses stay readable), ending with a line feed.
/// Times are RFC 3339 in UTC (<c>2026-12-04T22:08:00Z</c>; a fraction of a second only when there
/// is one). Writing is by hand (<see cref="EnvelopeJsonWriter"/>, held to the serializer's output by
/// the tests); reading is source-generated: no reflection either way.
/// </summary>
public static class EnvelopeJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes <paramref name="envelope"/> as JSON, followed by a line feed.</summary>
    public static void Write(IBufferWriter<byte> output, MessageEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(envelope);
        using (var writer = new Utf8JsonWriter(output, WriterOptions))
        {
            EnvelopeJsonWriter.Write(writer, envelope);
        }

        output.Write("\n"u8);
    }

    /// <summary>Writes <paramref name="envelope"/> as JSON, followed by a line feed.</summary>
    public static void Write(Stream output, MessageEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(envelope);
        using (var writer = new Utf8JsonWriter(output, WriterOptions))
        {
            EnvelopeJsonWriter.Write(writer, envelope);
        }

        output.Write("\n"u8);
    }

    // Runs once per queued message: the buffer and the writer are kept per thread (reset on each
    // call), so that only the bytes handed out are allocated, or nothing with RentUtf8Bytes.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>The JSON of <paramref name="envelope"/> as UTF-8 bytes, ending with a line feed.</summary>
    public static byte[] ToUtf8Bytes(MessageEnvelope envelope) => WriteToThreadBuffer(envelope).ToArray();

    /// <summary>
    /// The JSON of <paramref name="envelope"/> (as <see cref="ToUtf8Bytes"/>) in the first
    /// <paramref name="length"/> bytes of an array from <see cref="ArrayPool{T}.Shared"/>: the caller
    /// returns it to the pool once the bytes are written.
    /// </summary>
    internal static byte[] RentUtf8Bytes(MessageEnvelope envelope, out int length)
    {
        var json = WriteToThreadBuffer(envelope);
        var rented = ArrayPool<byte>.Shared.Rent(json.Length);
        json.CopyTo(rented);
        length = json.Length;
        return rented;
    }

    private static ReadOnlySpan<byte> WriteToThreadBuffer(MessageEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        EnvelopeJsonWriter.Write(writer, envelope);
        writer.Flush();
        buffer.Write("\n"u8);
        var written = buffer.WrittenSpan;
        if (buffer.Capacity > 64 * 1024)
        {
            t_buffer = null; // an unusually large envelope: do not keep its buffer for the thread's life
            t_writer = null;
        }

        return written;
    }

    /// <summary>Reads an envelope written by <see cref="Write(Stream, MessageEnvelope)"/>.</summary>
    /// <exception cref="JsonException">The text is not a valid envelope.</exception>
    public static MessageEnvelope Read(ReadOnlySpan<byte> utf8Json)
    {
        return JsonSerializer.Deserialize(utf8Json, EnvelopeJsonContext.Default.MessageEnvelope)
            ?? throw new JsonException("The envelope is null.");
    }
}

[JsonSourceGenerationOptions(
    GenerationMode = JsonSourceGenerationMode.Default,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(Rfc3339JsonConverter)])]
[JsonSerializable(typeof(MessageEnvelope))]
internal sealed partial class EnvelopeJsonContext : JsonSerializerContext
{
}

/// <summary>RFC 3339 in UTC, with a fraction of a second only when there is one.</summary>
internal sealed class Rfc3339JsonConverter : JsonConverter<DateTimeOffset>
{
    internal const string Format = "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        if (text is null
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var value))
        {
            throw new JsonException("Expected an RFC 3339 date-time.");
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => WriteValue(writer, value);

    internal static void WriteValue(Utf8JsonWriter writer, DateTimeOffset value)
    {
        Span<char> buffer = stackalloc char[40];
        if (!value.UtcDateTime.TryFormat(buffer, out var written, Format, CultureInfo.InvariantCulture))
        {
            throw new JsonException("Cannot format the date-time.");
        }

        writer.WriteStringValue(buffer[..written]);
    }
}

/// <summary><see cref="DsnNotify"/> as an array of strings.</summary>
internal sealed class DsnNotifyJsonConverter : JsonConverter<DsnNotify>
{
    public override DsnNotify Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("Expected an array of NOTIFY keywords.");
        }

        var result = DsnNotify.None;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            result |= reader.GetString()?.ToUpperInvariant() switch
            {
                "NEVER" => DsnNotify.Never,
                "SUCCESS" => DsnNotify.Success,
                "FAILURE" => DsnNotify.Failure,
                "DELAY" => DsnNotify.Delay,
                _ => throw new JsonException("Unknown NOTIFY keyword."),
            };
        }

        return result;
    }

    public override void Write(Utf8JsonWriter writer, DsnNotify value, JsonSerializerOptions options) => WriteValue(writer, value);

    internal static void WriteValue(Utf8JsonWriter writer, DsnNotify value)
    {
        writer.WriteStartArray();
        if ((value & DsnNotify.Never) != 0)
        {
            writer.WriteStringValue("NEVER"u8);
        }

        if ((value & DsnNotify.Success) != 0)
        {
            writer.WriteStringValue("SUCCESS"u8);
        }

        if ((value & DsnNotify.Failure) != 0)
        {
            writer.WriteStringValue("FAILURE"u8);
        }

        if ((value & DsnNotify.Delay) != 0)
        {
            writer.WriteStringValue("DELAY"u8);
        }

        writer.WriteEndArray();
    }
}
