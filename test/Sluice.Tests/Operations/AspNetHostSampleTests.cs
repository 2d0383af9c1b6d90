using System.Diagnostics;
using System.Net;
using Sluice.Tests.Support;

namespace Sluice.Tests.Operations;

/// <summary>samples/AspNetHost: one process serving a minimal API and SMTP, Sluice's endpoints in the app's routing.</summary>
public class AspNetHostSampleTests
{
    [Test]
    public async Task The_sample_serves_its_own_api_sluice_health_and_metrics_and_smtp_in_one_process()
    {
        using var dir = new TempDir();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = dir.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "AspNetHost.dll"));
        start.ArgumentList.Add("--server:listener:smtp:bind=127.0.0.1:0");
        start.ArgumentList.Add("--server:listener:http:bind=127.0.0.1:0");
        start.ArgumentList.Add("--queue:path=" + Path.Combine(dir.Path, "queue"));
        start.ArgumentList.Add("--queue:min-free-space=1");
        using var sample = await ServerProcess.StartAsync(start, "smtp", "http");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var root = $"http://{sample.EndPoint("http")}";
        Assert.That(await http.GetStringAsync(new Uri(root + "/")), Does.StartWith("Hello from the app"));
        Assert.That((await http.GetAsync(new Uri(root + "/healthz"))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var ready = await http.GetAsync(new Uri(root + "/readyz"));
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK), await ready.Content.ReadAsStringAsync());

        await using (var client = await LineClient.ConnectAsync(sample.EndPoint("smtp")))
        {
            Assert.That(await client.ReadLineAsync(), Does.StartWith("220 "));
            await client.SendAsync("EHLO client.example\r\n");
            Assert.That((await client.ReadReplyAsync())[^1], Does.StartWith("250 "));
            await client.SendAsync("MAIL FROM:<a@b.example>\r\nRCPT TO:<someone@elsewhere.example>\r\nQUIT\r\n");
            Assert.That(await client.ReadLineAsync(), Does.StartWith("250 "));
            Assert.That(await client.ReadLineAsync(), Does.StartWith("550 5.1.1"), "the app's own RCPT middleware");
            Assert.That(await client.ReadLineAsync(), Does.StartWith("221 "));
        }
        var metrics = await Prometheus.ScrapeUntilAsync(sample.EndPoint("http"),
            t => Prometheus.Value(t, "sluice_sessions_total", "outcome=\"quit\"") >= 1, "the session on /metrics");
        Assert.That(Prometheus.Value(metrics, "sluice_messages_rejected_total", "stage=\"rcpt\"", "code_class=\"5.1\""), Is.EqualTo(1));

        sample.Terminate();
        Assert.That(await sample.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.Zero, sample.Stderr);
    }
}
