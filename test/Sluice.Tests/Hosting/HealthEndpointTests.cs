using System.Net;
using Sluice.Tests.Support;

namespace Sluice.Tests.Hosting;

/// <summary><c>/healthz</c> and <c>/readyz</c> over real HTTP on the configured http listener.</summary>
public class HealthEndpointTests
{
    [Test]
    public async Task Healthz_answers_200()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml());
        using var http = new HttpClient();
        var response = await http.GetAsync(new Uri($"http://{server.EndPoint("http")}/healthz"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Readyz_answers_200_when_listeners_are_bound_and_the_queue_is_writable()
    {
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml());
        using var http = new HttpClient();
        var response = await http.GetAsync(new Uri($"http://{server.EndPoint("http")}/readyz"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(body, Does.Contain("listeners: Healthy"));
        Assert.That(body, Does.Contain("queue: Healthy"));
    }

    [Test]
    public async Task Readyz_answers_503_when_the_queue_has_less_than_min_free_space()
    {
        // No disk has an exabyte free: the queue check must fail and say why.
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml().Replace(
            "min-free-space = \"1mb\"", "min-free-space = \"1000000000gb\"", StringComparison.Ordinal));
        using var http = new HttpClient();
        var response = await http.GetAsync(new Uri($"http://{server.EndPoint("http")}/readyz"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
        Assert.That(body, Does.Contain("below queue.min-free-space"));
    }

    [Test]
    public async Task Readyz_answers_503_when_the_queue_path_cannot_be_written()
    {
        // A regular file where the queue directory should be: not writable, whoever we run as.
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml().Replace(
            "path = \"{queue}\"", "path = \"{queue}/blocker/q\"", StringComparison.Ordinal));
        Directory.CreateDirectory(Path.Combine(server.Directory, "queue"));
        File.WriteAllText(Path.Combine(server.Directory, "queue", "blocker"), "not a directory");
        using var http = new HttpClient();
        var response = await http.GetAsync(new Uri($"http://{server.EndPoint("http")}/readyz"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
        Assert.That(body, Does.Contain("queue not writable"));
    }
}
