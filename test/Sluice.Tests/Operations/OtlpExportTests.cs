using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Sluice.Tests.Configuration;
using Sluice.Tests.Durability;
using Sluice.Tests.Support;

namespace Sluice.Tests.Operations;

/// <summary>OTEL_EXPORTER_OTLP_ENDPOINT switches OTLP export on; an unreachable collector costs the mail nothing.</summary>
public class OtlpExportTests
{
    [Test]
    public async Task With_a_collector_configured_the_server_exports_its_traces_and_metrics_by_otlp()
    {
        // A stand-in collector: records which OTLP/HTTP paths it is sent.
        var received = new ConcurrentQueue<string>();
        var collectorBuilder = WebApplication.CreateSlimBuilder();
        collectorBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var collector = collectorBuilder.Build();
        collector.MapPost("/v1/{signal}", async (HttpContext context, string signal) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.Enqueue(signal + ":" + body.Length);
            return Results.Ok();
        });
        await collector.StartAsync();

        using var dir = new TempDir();
        var start = StartInfo(dir);
        start.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Urls.Single();
        start.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        start.Environment["OTEL_BSP_SCHEDULE_DELAY"] = "100";
        start.Environment["OTEL_METRIC_EXPORT_INTERVAL"] = "200";
        using var server = await ServerProcess.StartAsync(start, "smtp", "http");
        await using (var client = await LineClient.ConnectAsync(server.EndPoint("smtp")))
        {
            await StoreDurabilityTests.SendEnvelopeAsync(client);
            await client.SendAsync("Subject: traced\r\n\r\nbody\r\n.\r\nQUIT\r\n");
            Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.0.0"));
            Assert.That(await client.ReadLineAsync(), Does.StartWith("221 "));
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!(received.Any(r => r.StartsWith("traces:", StringComparison.Ordinal)) && received.Any(r => r.StartsWith("metrics:", StringComparison.Ordinal))))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "OTLP posts seen: " + string.Join(", ", received));
            await Task.Delay(50);
        }
        server.Terminate();
        Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.Zero, server.Stderr);
        await collector.StopAsync();
    }

    [Test]
    public async Task With_an_unreachable_collector_the_server_still_takes_mail_and_exits_0()
    {
        using var dir = new TempDir();
        var start = StartInfo(dir);
        // Port 9 (discard) on loopback: nothing listens, every export fails fast.
        start.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9";
        start.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        start.Environment["OTEL_EXPORTER_OTLP_TIMEOUT"] = "1000";
        using var server = await ServerProcess.StartAsync(start, "smtp", "http");

        await using (var client = await LineClient.ConnectAsync(server.EndPoint("smtp")))
        {
            await StoreDurabilityTests.SendEnvelopeAsync(client);
            await client.SendAsync("Subject: traced\r\n\r\nbody\r\n.\r\nQUIT\r\n");
            Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.0.0"));
            Assert.That(await client.ReadLineAsync(), Does.StartWith("221 "));
        }
        server.Terminate();
        Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.Zero, server.Stderr);
    }

    private static ProcessStartInfo StartInfo(TempDir dir)
    {
        var config = dir.File("sluice.toml", $"""
            [server]
            hostname = "mx.test.example"
            [server.listener.smtp]
            bind = "127.0.0.1:0"
            [server.listener.http]
            bind = "127.0.0.1:0"
            protocol = "http"
            [queue]
            type = "files"
            path = "{Path.Combine(dir.Path, "queue")}"
            min-free-space = 1
            """);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = dir.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(CheckCommandTests.ServerDll);
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(config);
        return start;
    }
}
