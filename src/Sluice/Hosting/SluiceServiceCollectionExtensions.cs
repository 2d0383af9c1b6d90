using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Sluice.Configuration.Settings;
using Sluice.Session;

namespace Sluice.Hosting;

/// <summary>Adds Sluice to a host's services (SPEC §6).</summary>
public static class SluiceServiceCollectionExtensions
{
    /// <summary>
    /// Reads and validates Sluice's sections of <paramref name="configuration"/> (throws
    /// <see cref="Configuration.SluiceConfigurationException"/> listing every error) and registers the server.
    /// </summary>
    public static IServiceCollection AddSluice(this IServiceCollection services, IConfiguration configuration) =>
        services.AddSluice(SluiceSettingsReader.ReadOrThrow(configuration));

    /// <summary>Registers the server with settings already read.</summary>
    public static IServiceCollection AddSluice(this IServiceCollection services, SluiceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(settings);
        services.TryAddSingleton(settings);
        services.TryAddSingleton<SluiceListenerRegistry>();
        services.TryAddSingleton<ConnectionCounter>();
        services.TryAddSingleton<SmtpConnectionHandler>();
        services.AddHostedService<SluiceLifetimeService>();
        services.AddHealthChecks()
            .AddCheck<ListenersHealthCheck>("listeners", tags: [SluiceHealth.ReadyTag])
            .AddCheck<QueueHealthCheck>("queue", tags: [SluiceHealth.ReadyTag]);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.Server.ShutdownTimeout);
        return services;
    }
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
