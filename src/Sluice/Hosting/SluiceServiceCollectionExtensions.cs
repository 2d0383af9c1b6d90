using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sluice.Configuration.Settings;
using Sluice.Queue;
using Sluice.Session;
using Sluice.Stages;
using Sluice.Tls;

namespace Sluice.Hosting;

/// <summary>Adds Sluice to a host's services (SPEC §6).</summary>
public static class SluiceServiceCollectionExtensions
{
    /// <summary>
    /// Reads and validates Sluice's sections of <paramref name="configuration"/> (throws
    /// <see cref="Configuration.SluiceConfigurationException"/> listing every error) and registers the server.
    /// </summary>
    public static SluiceBuilder AddSluice(this IServiceCollection services, IConfiguration configuration) =>
        services.AddSluice(SluiceSettingsReader.ReadOrThrow(configuration));

    /// <summary>Registers the server with settings already read.</summary>
    public static SluiceBuilder AddSluice(this IServiceCollection services, SluiceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(settings);
        services.TryAddSingleton(settings);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SluiceListenerRegistry>();
        services.TryAddSingleton<ConnectionCounter>();
        services.TryAddSingleton<CertificateStore>();
        services.TryAddSingleton<Auth.ISaslAuthenticator, Auth.SaslAuthenticator>();
        services.AddHostedService<CertificateReloadService>();
        services.AddOptions<SmtpPipelineOptions>();
        services.TryAddSingleton(sp => SessionServicesFactory.BuildPipelines(sp, sp.GetRequiredService<SluiceSettings>()));

        // The host may register its own IMessageStore before or after; queue.type picks the built-in one.
        _ = settings.Queue.Type == QueueType.Log
            ? services.AddSluiceLogQueue(settings.Queue.Path, settings.Queue.Fsync)
            : services.AddSluiceFilesQueue(settings.Queue.Path, settings.Queue.Fsync);
        services.TryAddSingleton(sp => SessionServicesFactory.Create(
            sp, sp.GetRequiredService<SluiceSettings>(), sp.GetRequiredService<SmtpPipelines>()));
        services.TryAddSingleton(sp => new SluiceConfigurationState(sp.GetRequiredService<SluiceSettings>()));
        services.TryAddSingleton(sp => new SmtpConnectionHandler(
            sp.GetRequiredService<SessionServices>(),
            sp.GetRequiredService<ILogger<SmtpConnectionHandler>>()));

        services.AddHostedService<SluiceLifetimeService>();
        services.AddSluiceMetrics();
        services.TryAddSingleton<SluiceDrain>();
        services.AddHostedService<SluiceShutdownService>();
        services.AddHealthChecks()
            .AddCheck<ListenersHealthCheck>("listeners", tags: [SluiceHealth.ReadyTag])
            .AddCheck<QueueHealthCheck>("queue", tags: [SluiceHealth.ReadyTag]);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.Server.ShutdownTimeout);
        return new SluiceBuilder(services);
    }
}

/// <summary>Returned by <c>AddSluice</c>: adds the host's own middleware to the session stages.</summary>
public sealed class SluiceBuilder(IServiceCollection services)
{
    public IServiceCollection Services { get; } = services;

    /// <summary>Changes the stage pipelines (add, insert before a built-in, remove a built-in).</summary>
    public SluiceBuilder ConfigurePipelines(Action<SmtpPipelineBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure<SmtpPipelineOptions>(o => o.Configure.Add(configure));
        return this;
    }

    public SluiceBuilder UseConnect(Func<ConnectContext, SmtpStageDelegate<ConnectContext>, ValueTask> middleware) =>
        ConfigurePipelines(p => p.Connect.Use(middleware));

    public SluiceBuilder UseEhlo(Func<EhloContext, SmtpStageDelegate<EhloContext>, ValueTask> middleware) =>
        ConfigurePipelines(p => p.Ehlo.Use(middleware));

    public SluiceBuilder UseMail(Func<MailContext, SmtpStageDelegate<MailContext>, ValueTask> middleware) =>
        ConfigurePipelines(p => p.Mail.Use(middleware));

    public SluiceBuilder UseRcpt(Func<RcptContext, SmtpStageDelegate<RcptContext>, ValueTask> middleware) =>
        ConfigurePipelines(p => p.Rcpt.Use(middleware));

    public SluiceBuilder UseData(Func<DataContext, SmtpStageDelegate<DataContext>, ValueTask> middleware) =>
        ConfigurePipelines(p => p.Data.Use(middleware));
}

/// <summary>Marks the listeners bound once the host has started, and draining as soon as it begins to stop.</summary>
internal sealed class SluiceLifetimeService(IHostApplicationLifetime lifetime, SluiceListenerRegistry registry) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(registry.MarkStarted);
        lifetime.ApplicationStopping.Register(registry.MarkDraining);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
