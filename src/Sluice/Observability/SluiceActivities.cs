using System.Diagnostics;
using System.Net;
using Sluice.Protocol;

namespace Sluice.Observability;

/// <summary>
/// Traces: an <see cref="ActivitySource"/> named <see cref="SourceName"/>, with an activity per
/// session (<c>smtp.session</c>) and per message (<c>smtp.message</c>, a child of its session), and an
/// event per command. Nothing is created unless a listener (an OpenTelemetry tracer provider with
/// <c>AddSource("Sluice")</c>) samples the activity.
/// </summary>
public static class SluiceActivities
{
    public const string SourceName = "Sluice";

    public static ActivitySource Source { get; } = new(SourceName);

    /// <summary>Starts the session's activity (null when nobody listens); it becomes <see cref="Activity.Current"/> for the session.</summary>
    public static Activity? StartSession(string connectionId, string listener, EndPoint? remote)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        var activity = Source.StartActivity("smtp.session", ActivityKind.Server);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("sluice.listener", listener);
            activity.SetTag("sluice.connection_id", connectionId);
            if (remote is IPEndPoint ip)
            {
                activity.SetTag("client.address", ip.Address.ToString());
                activity.SetTag("client.port", ip.Port);
            }
        }
        return activity;
    }

    /// <summary>Ends the session's activity with its outcome.</summary>
    public static void EndSession(Activity? activity, string outcome)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetTag("sluice.outcome", outcome);
        activity.Stop();
    }

    /// <summary>A stage event on the current activity (the session's, or a message's): <c>ehlo</c>, <c>mail</c>, <c>rcpt</c>, <c>data</c>...</summary>
    public static void CommandEvent(SmtpVerb verb, SmtpReply? reply)
    {
        var current = Activity.Current;
        if (current is not { IsAllDataRequested: true } || current.Source != Source)
        {
            return;
        }
        var tags = reply is null ? default : new ActivityTagsCollection { ["smtp.reply_code"] = reply.Code };
        current.AddEvent(new ActivityEvent(SluiceMetrics.VerbName(verb), tags: tags));
    }

    /// <summary>Starts the activity of one message (from DATA/BDAT to its commit or abort).</summary>
    public static Activity? StartMessage(string queueId)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        var activity = Source.StartActivity("smtp.message", ActivityKind.Internal);
        activity?.SetTag("sluice.queue_id", queueId);
        return activity;
    }

    /// <summary>Ends a message activity: <c>accepted</c> (with its size) or <c>rejected</c>/<c>aborted</c>.</summary>
    public static void EndMessage(ref Activity? activity, string outcome, long size = -1)
    {
        var ending = activity;
        activity = null;
        if (ending is null)
        {
            return;
        }
        if (ending.IsAllDataRequested)
        {
            ending.AddEvent(new ActivityEvent(outcome));
            ending.SetTag("sluice.outcome", outcome);
            if (size >= 0)
            {
                ending.SetTag("sluice.message_size", size);
            }
        }
        if (outcome != SessionOutcomes.Accepted)
        {
            ending.SetStatus(ActivityStatusCode.Error, outcome);
        }
        ending.Stop();
    }
}

/// <summary>The values of the <c>outcome</c> tag: a small fixed set.</summary>
public static class SessionOutcomes
{
    /// <summary>The client sent QUIT.</summary>
    public const string Quit = "quit";

    /// <summary>The client closed the connection without QUIT.</summary>
    public const string ClientClosed = "client_closed";

    /// <summary>The server closed the session (too many errors, a refusal that closes, transfer limit).</summary>
    public const string ServerClosed = "server_closed";

    /// <summary>Refused at connect (a connect-stage rule, the connection limit).</summary>
    public const string Refused = "refused";

    public const string IdleTimeout = "idle_timeout";

    public const string DurationLimit = "duration_limit";

    /// <summary>The connection broke (reset, I/O error).</summary>
    public const string ConnectionLost = "connection_lost";

    /// <summary>Ended by a graceful shutdown (421 4.3.0).</summary>
    public const string Shutdown = "shutdown";

    /// <summary>Of a message: stored.</summary>
    public const string Accepted = "accepted";

    /// <summary>Of a message: refused after its content arrived.</summary>
    public const string Rejected = "rejected";

    /// <summary>Of a message: dropped before it was complete (RSET, disconnect).</summary>
    public const string Aborted = "aborted";
}
