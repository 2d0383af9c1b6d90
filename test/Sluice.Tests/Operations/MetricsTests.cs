using System.Diagnostics;
using Sluice.Observability;
using Sluice.Tests.Durability;
using Sluice.Tests.Support;

namespace Sluice.Tests.Operations;

/// <summary><c>/metrics</c> over real HTTP, and the traces of a session.</summary>
[NonParallelizable]
public class MetricsTests
{
    [Test]
    public async Task Metrics_count_an_accepted_message_its_connection_session_bytes_and_command_latency()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml());
        var http = server.EndPoint("http");
        Assert.That(Prometheus.Value(await Prometheus.ScrapeAsync(http), "sluice_messages_accepted_total"), Is.Zero);

        await using (var client = await LineClient.ConnectAsync(server.EndPoint("smtp")))
        {
            await StoreDurabilityTests.SendEnvelopeAsync(client);
            await client.SendAsync("Subject: counted\r\n\r\nbody\r\n.\r\nQUIT\r\n");
            Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.0.0"));
            Assert.That(await client.ReadLineAsync(), Does.StartWith("221 "));
        }

        var after = await Prometheus.ScrapeUntilAsync(http,
            t => Prometheus.Value(t, "sluice_sessions_total", "outcome=\"quit\"") >= 1
                && Prometheus.Value(t, "sluice_connections_total", "listener=\"smtp\"") >= 1
                && Prometheus.Value(t, "sluice_connections_active", "listener=\"smtp\"") == 0,
            "the session's end and its connection's close should be counted");
        Assert.Multiple(() =>
        {
            Assert.That(Prometheus.Value(after, "sluice_messages_accepted_total", "listener=\"smtp\""), Is.EqualTo(1));
            Assert.That(Prometheus.Value(after, "sluice_connections_total", "listener=\"smtp\""), Is.EqualTo(1));
            Assert.That(Prometheus.Value(after, "sluice_connections_active", "listener=\"smtp\""), Is.Zero);
            Assert.That(Prometheus.Value(after, "sluice_sessions_total", "listener=\"smtp\"", "outcome=\"quit\""), Is.EqualTo(1));
            Assert.That(Prometheus.Value(after, "sluice_received_bytes_total", "listener=\"smtp\""), Is.GreaterThan(60));
            Assert.That(Prometheus.Value(after, "sluice_command_duration_seconds_count", "command=\"mail\""), Is.EqualTo(1));
            Assert.That(Prometheus.Value(after, "sluice_command_duration_seconds_count", "command=\"rcpt\""), Is.EqualTo(1));
            Assert.That(Prometheus.Value(after, "sluice_queue_commit_duration_seconds_count"), Is.EqualTo(1));
            Assert.That(Prometheus.Value(after, "sluice_messages_rejected_total"), Is.Zero);
        });
    }

    [Test]
    public async Task Metrics_count_a_refused_message_by_stage_and_enhanced_code_class()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml("""
            [session.data.limits]
            size = 200
            """));
        var http = server.EndPoint("http");
        await using (var client = await LineClient.ConnectAsync(server.EndPoint("smtp")))
        {
            await StoreDurabilityTests.SendEnvelopeAsync(client);
            await client.SendAsync("Subject: too big\r\n\r\n" + new string('x', 400) + "\r\n.\r\n");
            Assert.That(await client.ReadLineAsync(), Does.StartWith("552 5.3.4"));
            await client.SendAsync("MAIL FROM:<a@b.example>\r\nRCPT TO:<not an address>\r\nQUIT\r\n");
            Assert.That(await client.ReadLineAsync(), Does.StartWith("250 "));
            Assert.That(await client.ReadLineAsync(), Does.StartWith("5"));
            Assert.That(await client.ReadLineAsync(), Does.StartWith("221 "));
        }

        var after = await Prometheus.ScrapeUntilAsync(http,
            t => Prometheus.Value(t, "sluice_sessions_total", "outcome=\"quit\"") >= 1,
            "the session's end should be counted");
        Assert.Multiple(() =>
        {
            Assert.That(Prometheus.Value(after, "sluice_messages_rejected_total", "listener=\"smtp\"", "stage=\"data\"", "code_class=\"5.3\""), Is.EqualTo(1));
            Assert.That(Prometheus.Value(after, "sluice_messages_rejected_total", "stage=\"rcpt\""), Is.EqualTo(1));
            Assert.That(Prometheus.Value(after, "sluice_messages_accepted_total"), Is.Zero);
        });
    }

    [Test]
    public async Task A_session_and_its_message_are_traced_with_stage_events()
    {
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SluiceActivities.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (stopped)
                {
                    stopped.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml());
        string id;
        await using (var client = await LineClient.ConnectAsync(server.EndPoint("smtp")))
        {
            await StoreDurabilityTests.SendEnvelopeAsync(client);
            await client.SendAsync("Subject: traced\r\n\r\nbody\r\n.\r\nQUIT\r\n");
            id = (await client.ReadLineAsync())!.Split(' ')[^1];
            Assert.That(await client.ReadLineAsync(), Does.StartWith("221 "));
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        Activity? session = null;
        while (session is null && DateTime.UtcNow < deadline)
        {
            lock (stopped)
            {
                session = stopped.FirstOrDefault(a => a.OperationName == "smtp.session");
            }
            if (session is null)
            {
                await Task.Delay(50);
            }
        }
        Assert.That(session, Is.Not.Null, "the session activity should stop when the session ends");
        Activity message;
        lock (stopped)
        {
            message = stopped.Single(a => a.OperationName == "smtp.message");
        }
        Assert.Multiple(() =>
        {
            Assert.That(session!.GetTagItem("sluice.listener"), Is.EqualTo("smtp"));
            Assert.That(session.GetTagItem("sluice.outcome"), Is.EqualTo(SessionOutcomes.Quit));
            Assert.That(session.Events.Select(e => e.Name), Is.EqualTo(new[] { "ehlo", "mail", "rcpt", "data", "quit" }));
            Assert.That(message.ParentSpanId, Is.EqualTo(session.SpanId));
            Assert.That(message.GetTagItem("sluice.queue_id"), Is.EqualTo(id));
            Assert.That(message.GetTagItem("sluice.outcome"), Is.EqualTo(SessionOutcomes.Accepted));
        });
    }
}
