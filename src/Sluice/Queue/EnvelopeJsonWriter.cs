using System.Text.Json;

namespace Sluice.Queue;

/// <summary>
/// Writes a <see cref="MessageEnvelope"/> field by field, in the order and form the source-generated
/// serializer gives it (SPEC §2.9; <c>EnvelopeJsonTests</c> holds the two to the same bytes). The
/// serializer allocated its stack of frames on every call, a few hundred bytes per queued message;
/// this writer allocates nothing.
/// </summary>
internal static class EnvelopeJsonWriter
{
    public static void Write(Utf8JsonWriter writer, MessageEnvelope envelope)
    {
        writer.WriteStartObject();
        StringOrNull(writer, "id"u8, envelope.Id);
        StringOrNull(writer, "from"u8, envelope.From);
        if (envelope.To is { } to)
        {
            writer.WriteStartArray("to"u8);
            for (var i = 0; i < to.Count; i++)
            {
                WriteRecipient(writer, to[i]);
            }

            writer.WriteEndArray();
        }
        else
        {
            writer.WriteNull("to"u8);
        }

        writer.WritePropertyName("received-at"u8);
        Rfc3339JsonConverter.WriteValue(writer, envelope.ReceivedAt);
        StringOrNull(writer, "remote-ip"u8, envelope.RemoteIp);
        StringOrNull(writer, "helo"u8, envelope.Helo);
        StringOrNull(writer, "authenticated-as"u8, envelope.AuthenticatedAs);
        writer.WriteNumber("size"u8, envelope.Size);
        writer.WritePropertyName("body"u8);
        switch (envelope.Body)
        {
            case MessageBodyType.SevenBit:
                writer.WriteStringValue("7BIT"u8);
                break;
            case MessageBodyType.EightBitMime:
                writer.WriteStringValue("8BITMIME"u8);
                break;
            case MessageBodyType.BinaryMime:
                writer.WriteStringValue("BINARYMIME"u8);
                break;
            default:
                writer.WriteNumberValue((int)envelope.Body); // as JsonStringEnumConverter writes an undefined value
                break;
        }

        writer.WriteBoolean("smtputf8"u8, envelope.SmtpUtf8);
        writer.WriteBoolean("requiretls"u8, envelope.RequireTls);
        StringOrNull(writer, "env-id"u8, envelope.EnvId);
        writer.WritePropertyName("ret"u8);
        switch (envelope.Ret)
        {
            case null:
                writer.WriteNullValue();
                break;
            case DsnReturn.Full:
                writer.WriteStringValue("FULL"u8);
                break;
            case DsnReturn.Headers:
                writer.WriteStringValue("HDRS"u8);
                break;
            case var other:
                writer.WriteNumberValue((int)other);
                break;
        }

        writer.WritePropertyName("priority"u8);
        if (envelope.Priority is { } priority)
        {
            writer.WriteNumberValue(priority);
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WritePropertyName("hold-until"u8);
        if (envelope.HoldUntil is { } holdUntil)
        {
            Rfc3339JsonConverter.WriteValue(writer, holdUntil);
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WritePropertyName("by"u8);
        if (envelope.By is { } by)
        {
            writer.WriteStartObject();
            writer.WriteNumber("time"u8, by.Time);
            writer.WritePropertyName("mode"u8);
            switch (by.Mode)
            {
                case DeliverByMode.Notify:
                    writer.WriteStringValue("N"u8);
                    break;
                case DeliverByMode.Return:
                    writer.WriteStringValue("R"u8);
                    break;
                default:
                    writer.WriteNumberValue((int)by.Mode);
                    break;
            }

            writer.WriteBoolean("trace"u8, by.Trace);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNullValue();
        }

        StringOrNull(writer, "folder"u8, envelope.Folder);
        writer.WriteEndObject();
    }

    private static void WriteRecipient(Utf8JsonWriter writer, EnvelopeRecipient recipient)
    {
        writer.WriteStartObject();
        writer.WriteString("address"u8, recipient.Address);
        StringOrNull(writer, "orcpt"u8, recipient.Orcpt);
        writer.WritePropertyName("notify"u8);
        if (recipient.Notify is { } notify)
        {
            DsnNotifyJsonConverter.WriteValue(writer, notify);
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WriteEndObject();
    }

    private static void StringOrNull(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
