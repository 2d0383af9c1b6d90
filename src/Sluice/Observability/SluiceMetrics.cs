using System.Diagnostics;
using System.Diagnostics.Metrics;
using Sluice.Protocol;

namespace Sluice.Observability;

/// <summary>
/// Sluice's instruments (SPEC §5), on a <see cref="Meter"/> named <see cref="MeterName"/>. Tags are
/// few and bounded: the listener id, the stage or command, the session outcome, the enhanced status
/// code class (<c>5.7</c>). Recording allocates nothing beyond what the Meter API needs: tag values
/// are interned strings, and tag lists are structs.
/// </summary>
public sealed class SluiceMetrics : IDisposable
{
    /// <summary>The meter name to subscribe to (<c>AddMeter("Sluice")</c>).</summary>
    public const string MeterName = "Sluice";

    private static readonly string[] s_verbNames = BuildVerbNames();

    private readonly Meter _meter;
    private readonly UpDownCounter<long> _connectionsActive;
    private readonly Counter<long> _connections;
    private readonly Counter<long> _sessions;
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _bytes;
    private readonly Histogram<double> _commandDuration;
    private readonly Counter<long> _throttleHits;
    private readonly Histogram<double> _commitDuration;

    /// <summary>Instruments on a meter of <paramref name="meterFactory"/> (one per host), or a private meter when null.</summary>
    public SluiceMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _connectionsActive = _meter.CreateUpDownCounter<long>("sluice.connections.active", "{connection}", "SMTP connections open now");
        _connections = _meter.CreateCounter<long>("sluice.connections", "{connection}", "SMTP connections accepted");
        _sessions = _meter.CreateCounter<long>("sluice.sessions", "{session}", "SMTP sessions ended, by outcome");
        _accepted = _meter.CreateCounter<long>("sluice.messages.accepted", "{message}", "Messages stored in the queue");
        _rejected = _meter.CreateCounter<long>("sluice.messages.rejected", "{message}", "Transactions refused, by stage and enhanced code class");
        _bytes = _meter.CreateCounter<long>("sluice.received", "By", "Bytes read from SMTP clients");
        _commandDuration = _meter.CreateHistogram<double>("sluice.command.duration", "s", "Time to execute one SMTP command",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _throttleHits = _meter.CreateCounter<long>("sluice.throttle.hits", "{hit}", "Sessions or commands held back by a throttle");
        _commitDuration = _meter.CreateHistogram<double>("sluice.queue.commit.duration", "s", "Time to commit one message to the queue",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
    }

    public void ConnectionOpened(string listener)
    {
        var tag = new KeyValuePair<string, object?>("listener", listener);
        _connections.Add(1, tag);
        _connectionsActive.Add(1, tag);
    }

    public void ConnectionClosed(string listener) =>
        _connectionsActive.Add(-1, new KeyValuePair<string, object?>("listener", listener));

    public void SessionEnded(string listener, string outcome) =>
        _sessions.Add(1, new KeyValuePair<string, object?>("listener", listener), new KeyValuePair<string, object?>("outcome", outcome));

    public void MessageAccepted(string listener) =>
        _accepted.Add(1, new KeyValuePair<string, object?>("listener", listener));

    /// <summary>A transaction refused at <paramref name="stage"/> (<c>mail</c>, <c>rcpt</c>, <c>data</c>) with <paramref name="reply"/>.</summary>
    public void MessageRejected(string listener, string stage, SmtpReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        _rejected.Add(1,
            new KeyValuePair<string, object?>("listener", listener),
            new KeyValuePair<string, object?>("stage", stage),
            new KeyValuePair<string, object?>("code_class", CodeClass(reply)));
    }

    public void BytesReceived(string listener, long bytes)
    {
        if (bytes > 0)
        {
            _bytes.Add(bytes, new KeyValuePair<string, object?>("listener", listener));
        }
    }

    /// <summary>A command of <paramref name="verb"/> took from <paramref name="startTimestamp"/> (<see cref="Stopwatch.GetTimestamp"/>) until now.</summary>
    public void CommandExecuted(string listener, SmtpVerb verb, long startTimestamp)
    {
        if (_commandDuration.Enabled)
        {
            _commandDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds,
                new KeyValuePair<string, object?>("listener", listener),
                new KeyValuePair<string, object?>("command", VerbName(verb)));
        }
    }

    public void ThrottleHit(string listener, string stage) =>
        _throttleHits.Add(1, new KeyValuePair<string, object?>("listener", listener), new KeyValuePair<string, object?>("stage", stage));

    public void QueueCommitted(long startTimestamp)
    {
        if (_commitDuration.Enabled)
        {
            _commitDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);
        }
    }

    /// <summary>The lower-case verb, from a fixed table (no allocation).</summary>
    public static string VerbName(SmtpVerb verb) =>
        (uint)verb < (uint)s_verbNames.Length ? s_verbNames[(int)verb] : "unknown";

    /// <summary><c>class.subject</c> of the enhanced code (<c>5.7</c>), or the reply's class digit (<c>5</c>) without one.</summary>
    public static string CodeClass(SmtpReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var enhanced = reply.EnhancedCode;
        if (enhanced is not null)
        {
            var second = enhanced.IndexOf('.', 2);
            if (second > 0)
            {
                return CodeClasses.Get(enhanced.AsSpan(0, second));
            }
        }
        return (reply.Code / 100) switch
        {
            2 => "2",
            4 => "4",
            _ => "5",
        };
    }

    private static string[] BuildVerbNames()
    {
        var values = Enum.GetValues<SmtpVerb>();
        var names = new string[values.Max(v => (int)v) + 1];
        foreach (var verb in values)
        {
            names[(int)verb] = verb.ToString().ToLowerInvariant();
        }
        return names;
    }

    public void Dispose() => _meter.Dispose();

    /// <summary>Interned <c>class.subject</c> strings: RFC 3463 defines subjects 0..7.</summary>
    private static class CodeClasses
    {
        private static readonly string[] s_known = [.. from c in new[] { 2, 4, 5 } from s in Enumerable.Range(0, 8) select $"{c}.{s}"];

        public static string Get(ReadOnlySpan<char> value)
        {
            foreach (var known in s_known)
            {
                if (value.SequenceEqual(known))
                {
                    return known;
                }
            }
            return "other";
        }
    }
}
