using System.Text.Json.Serialization;

namespace Sluice.Queue;

/// <summary>
/// The envelope of one stored message: what the session learned from MAIL, RCPT and the connection.
/// It is written as <c>&lt;id&gt;.json</c> by the <c>files</c> store in the exact format of SPEC §2.9
/// (see <see cref="EnvelopeJson"/>). A value not given is <see langword="null"/>.
/// </summary>
public sealed record MessageEnvelope
{
    /// <summary>The message id. Filled by the store at commit: leave it empty, or give the transaction's own
    /// (the session does, with <see cref="Size"/>, so that the store need not copy the envelope).</summary>
    [JsonPropertyName("id")]
    public string Id { get; init; } = "";

    /// <summary>The MAIL FROM address; the null sender (<c>&lt;&gt;</c>) is the empty string.</summary>
    [JsonPropertyName("from")]
    public required string From { get; init; }

    /// <summary>The accepted recipients, in RCPT order (at least one).</summary>
    [JsonPropertyName("to")]
    public required IReadOnlyList<EnvelopeRecipient> To { get; init; }

    /// <summary>When the message was received (written RFC 3339, UTC).</summary>
    [JsonPropertyName("received-at")]
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The client's IP address, as text.</summary>
    [JsonPropertyName("remote-ip")]
    public string? RemoteIp { get; init; }

    /// <summary>The EHLO/HELO name the client gave.</summary>
    [JsonPropertyName("helo")]
    public string? Helo { get; init; }

    /// <summary>The authenticated user; <see langword="null"/> when the session did not authenticate.</summary>
    [JsonPropertyName("authenticated-as")]
    public string? AuthenticatedAs { get; init; }

    /// <summary>The byte length of the stored <c>.eml</c>. Filled by the store at commit (a value given is replaced when it differs).</summary>
    [JsonPropertyName("size")]
    public long Size { get; init; }

    /// <summary>MAIL's BODY parameter; <see cref="MessageBodyType.SevenBit"/> when none was given.</summary>
    [JsonPropertyName("body")]
    public MessageBodyType Body { get; init; } = MessageBodyType.SevenBit;

    /// <summary>MAIL's SMTPUTF8 parameter was given.</summary>
    [JsonPropertyName("smtputf8")]
    public bool SmtpUtf8 { get; init; }

    /// <summary>MAIL's REQUIRETLS parameter was given (RFC 8689).</summary>
    [JsonPropertyName("requiretls")]
    public bool RequireTls { get; init; }

    /// <summary>MAIL's ENVID parameter (RFC 3461), decoded from xtext.</summary>
    [JsonPropertyName("env-id")]
    public string? EnvId { get; init; }

    /// <summary>MAIL's RET parameter (RFC 3461).</summary>
    [JsonPropertyName("ret")]
    public DsnReturn? Ret { get; init; }

    /// <summary>MAIL's MT-PRIORITY parameter (RFC 6710), -9 to 9.</summary>
    [JsonPropertyName("priority")]
    public int? Priority { get; init; }

    /// <summary>When delivery may start (FUTURERELEASE, RFC 4865), written RFC 3339, UTC.</summary>
    [JsonPropertyName("hold-until")]
    public DateTimeOffset? HoldUntil { get; init; }

    /// <summary>MAIL's BY parameter (DELIVERBY, RFC 2852).</summary>
    [JsonPropertyName("by")]
    public DeliverBy? By { get; init; }

    /// <summary>The folder a Sieve script filed the message into, if any.</summary>
    [JsonPropertyName("folder")]
    public string? Folder { get; init; }
}

/// <summary>One accepted recipient.</summary>
/// <param name="Address">The RCPT TO address.</param>
public sealed record EnvelopeRecipient(
    [property: JsonPropertyName("address")] string Address)
{
    /// <summary>RCPT's ORCPT parameter with its address type, e.g. <c>rfc822;a@b</c> (RFC 3461).</summary>
    [JsonPropertyName("orcpt")]
    public string? Orcpt { get; init; }

    /// <summary>RCPT's NOTIFY parameter (RFC 3461); <see langword="null"/> when not given.</summary>
    [JsonPropertyName("notify")]
    public DsnNotify? Notify { get; init; }
}

/// <summary>MAIL's BY parameter (RFC 2852): written <c>{"time": seconds, "mode": "N"|"R", "trace": bool}</c>.</summary>
/// <param name="Time">The by-time in seconds (may be negative with mode R).</param>
/// <param name="Mode">Notify or return.</param>
/// <param name="Trace">The <c>T</c> modifier was given.</param>
public sealed record DeliverBy(
    [property: JsonPropertyName("time")] long Time,
    [property: JsonPropertyName("mode")] DeliverByMode Mode,
    [property: JsonPropertyName("trace")] bool Trace);

/// <summary>MAIL's BODY parameter.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MessageBodyType>))]
public enum MessageBodyType
{
    /// <summary><c>7BIT</c>, also when no BODY was given.</summary>
    [JsonStringEnumMemberName("7BIT")]
    SevenBit = 0,

    /// <summary><c>8BITMIME</c>.</summary>
    [JsonStringEnumMemberName("8BITMIME")]
    EightBitMime = 1,

    /// <summary><c>BINARYMIME</c> (RFC 3030).</summary>
    [JsonStringEnumMemberName("BINARYMIME")]
    BinaryMime = 2,
}

/// <summary>MAIL's RET parameter (RFC 3461).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DsnReturn>))]
public enum DsnReturn
{
    /// <summary><c>FULL</c>: return the whole message in a DSN.</summary>
    [JsonStringEnumMemberName("FULL")]
    Full = 1,

    /// <summary><c>HDRS</c>: return only the headers.</summary>
    [JsonStringEnumMemberName("HDRS")]
    Headers = 2,
}

/// <summary>The mode of MAIL's BY parameter (RFC 2852).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeliverByMode>))]
public enum DeliverByMode
{
    /// <summary><c>N</c>: notify when the time passes.</summary>
    [JsonStringEnumMemberName("N")]
    Notify = 1,

    /// <summary><c>R</c>: return the message when the time passes.</summary>
    [JsonStringEnumMemberName("R")]
    Return = 2,
}

/// <summary>
/// RCPT's NOTIFY parameter (RFC 3461). <see cref="Never"/> stands alone; the others combine.
/// Written as an array of strings: <c>["NEVER"]</c>, or the set ones in the order
/// <c>SUCCESS</c>, <c>FAILURE</c>, <c>DELAY</c>.
/// </summary>
[Flags]
[JsonConverter(typeof(DsnNotifyJsonConverter))]
public enum DsnNotify
{
    /// <summary>Nothing set; written as <c>[]</c>. Use <see langword="null"/> for "not given".</summary>
    None = 0,

    /// <summary><c>NEVER</c>.</summary>
    Never = 1,

    /// <summary><c>SUCCESS</c>.</summary>
    Success = 2,

    /// <summary><c>FAILURE</c>.</summary>
    Failure = 4,

    /// <summary><c>DELAY</c>.</summary>
    Delay = 8,
}
