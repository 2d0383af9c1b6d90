using System.Diagnostics;
using System.Diagnostics.Metrics;
using Sluice.Observability;
using Sluice.Protocol;

namespace Sluice.Tests.Operations;

/// <summary>Recording a measurement on the session's hot path allocates nothing of Sluice's own.</summary>
public class MetricsAllocationTests
{
    [Test]
    public void Recording_the_per_command_and_per_message_instruments_allocates_nothing()
    {
        using var metrics = new SluiceMetrics();
        long seen = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == SluiceMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => seen += value);
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => seen++);
        listener.Start();

        void Session()
        {
            metrics.ConnectionOpened("smtp");
            var started = Stopwatch.GetTimestamp();
            metrics.CommandExecuted("smtp", SmtpVerb.Mail, started);
            metrics.CommandExecuted("smtp", SmtpVerb.Rcpt, started);
            metrics.BytesReceived("smtp", 1234);
            metrics.QueueCommitted(started);
            metrics.MessageAccepted("smtp");
            metrics.MessageRejected("smtp", "rcpt", SmtpReplies.UnknownCommand);
            metrics.SessionEnded("smtp", SessionOutcomes.Quit);
            metrics.ConnectionClosed("smtp");
        }

        Session(); // warm up
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            Session();
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(seen, Is.GreaterThan(1000), "the listener saw the measurements");
        Assert.That(allocated, Is.Zero);
    }

    [TestCase(550, "5.7.1", "5.7")]
    [TestCase(452, "4.3.1", "4.3")]
    [TestCase(554, null, "5")]
    [TestCase(421, null, "4")]
    public void The_code_class_is_the_enhanced_codes_class_and_subject(int code, string? enhanced, string expected) =>
        Assert.That(SluiceMetrics.CodeClass(new SmtpReply(code, enhanced, "x")), Is.EqualTo(expected));
}
