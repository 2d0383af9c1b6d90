using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Sluice.Protocol;

/// <summary>
/// What an EHLO answer advertises. A value with value equality: the session fills one from its rules
/// for the current connection state (TLS, authenticated) and asks <see cref="EhloReplyCache"/> for
/// the encoded reply, which is built once per distinct value.
/// </summary>
public readonly record struct EhloCapabilities
{
    /// <summary>The server's host name, first word of the first line.</summary>
    public required string Hostname { get; init; }

    /// <summary>Text after the host name on the first line (may be empty).</summary>
    public string? Greeting { get; init; }

    public bool Pipelining { get; init; }

    /// <summary>CHUNKING and BINARYMIME.</summary>
    public bool Chunking { get; init; }

    /// <summary>SIZE n; null: not advertised; 0: SIZE with no limit.</summary>
    public long? MaxMessageSize { get; init; }

    public bool EightBitMime { get; init; }

    public bool SmtpUtf8 { get; init; }

    public bool EnhancedStatusCodes { get; init; }

    public bool StartTls { get; init; }

    public bool RequireTls { get; init; }

    public bool Dsn { get; init; }

    /// <summary>DELIVERBY (advertised without an argument, SPEC §3).</summary>
    public bool DeliverBy { get; init; }

    /// <summary>MT-PRIORITY profile (<c>MIXER</c>, <c>STANAG4406</c>, <c>NSEP</c>); null: off.</summary>
    public string? MtPriorityProfile { get; init; }

    /// <summary>NO-SOLICITING keywords (may be empty for the bare keyword); null: off.</summary>
    public string? NoSoliciting { get; init; }

    /// <summary>AUTH mechanisms, space-separated upper case (<c>PLAIN LOGIN</c>); null or empty: AUTH not offered.</summary>
    public string? AuthMechanisms { get; init; }

    /// <summary>FUTURERELEASE maximum interval in seconds; null: off. The line carries the current
    /// time plus this interval, so it is written per reply (see <see cref="EhloReply.WriteTo"/>).</summary>
    public long? FutureReleaseMaxSeconds { get; init; }
}

/// <summary>An encoded EHLO reply for one <see cref="EhloCapabilities"/> value.</summary>
public sealed class EhloReply
{
    private readonly byte[] _head;
    private readonly byte[] _tail;
    private readonly long? _futureRelease;

    internal EhloReply(EhloCapabilities capabilities)
    {
        if (string.IsNullOrWhiteSpace(capabilities.Hostname))
        {
            throw new ArgumentException("EHLO needs a host name.", nameof(capabilities));
        }

        string first = string.IsNullOrEmpty(capabilities.Greeting) ? capabilities.Hostname : capabilities.Hostname + " " + capabilities.Greeting;
        var lines = new List<string> { first };
        if (capabilities.Pipelining)
        {
            lines.Add("PIPELINING");
        }

        if (capabilities.MaxMessageSize is long size)
        {
            lines.Add(size > 0 ? "SIZE " + size.ToString(CultureInfo.InvariantCulture) : "SIZE");
        }

        if (capabilities.EightBitMime)
        {
            lines.Add("8BITMIME");
        }

        if (capabilities.Chunking)
        {
            lines.Add("CHUNKING");
            lines.Add("BINARYMIME");
        }

        if (capabilities.SmtpUtf8)
        {
            lines.Add("SMTPUTF8");
        }

        if (capabilities.Dsn)
        {
            lines.Add("DSN");
        }

        if (capabilities.DeliverBy)
        {
            lines.Add("DELIVERBY");
        }

        if (!string.IsNullOrEmpty(capabilities.MtPriorityProfile))
        {
            lines.Add("MT-PRIORITY " + capabilities.MtPriorityProfile.ToUpperInvariant());
        }

        if (capabilities.NoSoliciting is not null)
        {
            lines.Add(capabilities.NoSoliciting.Length == 0 ? "NO-SOLICITING" : "NO-SOLICITING " + capabilities.NoSoliciting);
        }

        if (capabilities.RequireTls)
        {
            lines.Add("REQUIRETLS");
        }

        if (capabilities.StartTls)
        {
            lines.Add("STARTTLS");
        }

        if (!string.IsNullOrWhiteSpace(capabilities.AuthMechanisms))
        {
            lines.Add("AUTH " + capabilities.AuthMechanisms);
        }

        if (capabilities.EnhancedStatusCodes)
        {
            lines.Add("ENHANCEDSTATUSCODES");
        }

        _futureRelease = capabilities.FutureReleaseMaxSeconds;
        Capabilities = capabilities;

        // The FUTURERELEASE line carries a time, so it is written per reply. It goes just before the
        // last line (or last, when the host name line is the only other one): head + dynamic + tail.
        var head = new ArrayBufferWriter<byte>();
        var tail = new ArrayBufferWriter<byte>();
        bool dynamicLine = _futureRelease is not null;
        _lastIsDynamic = dynamicLine && lines.Count == 1;
        for (int i = 0; i < lines.Count; i++)
        {
            bool isLast = i == lines.Count - 1;
            var target = isLast && dynamicLine && lines.Count > 1 ? tail : head;
            SmtpReplyWriter.WriteLine(target, 250, null, lines[i], default, last: isLast && !_lastIsDynamic);
        }

        _head = head.WrittenSpan.ToArray();
        _tail = tail.WrittenSpan.ToArray();
    }

    private readonly bool _lastIsDynamic;

    /// <summary>What this reply advertises.</summary>
    public EhloCapabilities Capabilities { get; }

    /// <summary>Writes the reply; <paramref name="now"/> is used only for the FUTURERELEASE line.</summary>
    public void WriteTo(IBufferWriter<byte> output, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(_head);
        if (_futureRelease is long seconds)
        {
            Span<char> text = stackalloc char[64];
            var until = now.ToUniversalTime().AddSeconds(seconds);
            bool ok = text.TryWrite(CultureInfo.InvariantCulture, $"FUTURERELEASE {seconds} {until:yyyy-MM-dd'T'HH:mm:ss'Z'}", out int n);
            System.Diagnostics.Debug.Assert(ok, "64 chars are enough");
            SmtpReplyWriter.WriteLine(output, 250, null, text[..n], default, last: _lastIsDynamic);
        }

        output.Write(_tail);
    }

    /// <summary>The reply as text (for logs and tests).</summary>
    public string ToString(DateTimeOffset now)
    {
        var buffer = new ArrayBufferWriter<byte>();
        WriteTo(buffer, now);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

/// <summary>
/// Builds each distinct EHLO reply once and hands the same instance to every session that asks for
/// it. Thread-safe; lookups do not allocate. Keep one per configuration (a reload starts a new one).
/// </summary>
public sealed class EhloReplyCache
{
    private readonly ConcurrentDictionary<EhloCapabilities, EhloReply> _replies = new();

    /// <summary>Returns the reply for <paramref name="capabilities"/>, building it on first use.</summary>
    public EhloReply Get(in EhloCapabilities capabilities) =>
        _replies.TryGetValue(capabilities, out var reply) ? reply : _replies.GetOrAdd(capabilities, static c => new EhloReply(c));

    /// <summary>How many distinct replies were built.</summary>
    public int Count => _replies.Count;
}
