using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Configuration.Settings;
using Sluice.Hosting;
using Sluice.Server;

namespace Sluice.Tests.Support;

/// <summary>
/// The real server (the same <see cref="SluiceServerApp"/> the executable runs) started in-process
/// on a TOML configuration, with every listener on 127.0.0.1 and a port the OS picks.
/// </summary>
public sealed class RunningServer : IAsyncDisposable
{
    private readonly TempDir _dir;

    private RunningServer(WebApplication app, TempDir dir)
    {
        App = app;
        _dir = dir;
    }

    public WebApplication App { get; }

    public string Directory => _dir.Path;

    public SluiceSettings Settings => App.Services.GetRequiredService<SluiceSettings>();

    public IReadOnlyList<BoundListener> Listeners => App.Services.GetRequiredService<SluiceListenerRegistry>().Listeners;

    /// <summary>The bound endpoint of the listener <paramref name="id"/> (its first address).</summary>
    public IPEndPoint EndPoint(string id) =>
        Listeners.First(l => l.Listener.Id == id).EndPoint ?? throw new InvalidOperationException($"listener {id} not bound");

    /// <summary>Starts the server on <paramref name="toml"/>; <c>{queue}</c> in it is replaced by a fresh queue directory.</summary>
    public static Task<RunningServer> StartAsync(string toml, params string[] overrides) =>
        StartAsync(toml, configure: null, overrides);

    /// <summary>Starts the server; <paramref name="configure"/> may replace services (a file layer, a clock) before it is built.</summary>
    public static async Task<RunningServer> StartAsync(string toml, Action<WebApplicationBuilder>? configure, params string[] overrides)
    {
        var dir = new TempDir();
        var queue = System.IO.Path.Combine(dir.Path, "queue").Replace('\\', '/');
        var path = dir.File("sluice.toml", toml.Replace("{queue}", queue, StringComparison.Ordinal));
        var commandLine = ServerCommandLine.Parse(["--config", path, .. overrides]);
        var app = SluiceServerApp.Build(commandLine, configure);
        await app.StartAsync();
        return new RunningServer(app, dir);
    }

    /// <summary>A configuration with one SMTP and one HTTP listener on ports the OS picks.</summary>
    public static string MinimalToml(string extra = "") => $$"""
        [server]
        hostname = "mx.test.example"

        [server.listener.smtp]
        bind = "127.0.0.1:0"

        [server.listener.http]
        bind = "127.0.0.1:0"
        protocol = "http"

        [queue]
        # Most tests read the stored <id>.eml / <id>.json: the files layout. The log store has its own tests.
        type = "files"
        path = "{queue}"
        min-free-space = "1mb"

        {{extra}}
        """;

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await App.StopAsync(timeout.Token);
        await App.DisposeAsync();
        _dir.Dispose();
    }
}
