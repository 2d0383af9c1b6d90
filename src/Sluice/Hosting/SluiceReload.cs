using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sluice.Configuration;
using Sluice.Configuration.Settings;
using Sluice.Observability;
using Sluice.Queue;
using Sluice.Session;
using Sluice.Stages;

namespace Sluice.Hosting;

/// <summary>Options of the configuration reload.</summary>
public sealed class SluiceReloadOptions
{
    /// <summary>How often the configuration file is read and compared (by content: a Kubernetes
    /// ConfigMap update swaps a symlink, which file watchers miss).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>The configuration sessions start with now, and how many reloads have been applied.</summary>
public sealed class SluiceConfigurationState(SluiceSettings initial)
{
    private SluiceSettings _current = initial;
    private int _generation;

    /// <summary>The settings new sessions use.</summary>
    public SluiceSettings Current => Volatile.Read(ref _current);

    /// <summary>0 at start, one more per applied reload.</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>The errors of the last file that was refused; empty after a successful reload.</summary>
    public IReadOnlyList<ConfigError> LastErrors { get; private set; } = [];

    private int _refusals;

    /// <summary>How many changed files were refused (counted after the log line is written).</summary>
    public int Refusals => Volatile.Read(ref _refusals);

    internal void Apply(SluiceSettings settings)
    {
        Volatile.Write(ref _current, settings);
        LastErrors = [];
        Interlocked.Increment(ref _generation);
    }

    internal void Refuse(IReadOnlyList<ConfigError> errors)
    {
        LastErrors = errors;
        Interlocked.Increment(ref _refusals);
    }
}

public static class SluiceReloadExtensions
{
    /// <summary>
    /// Hot reload: <paramref name="file"/> is polled; when its content changes, <paramref name="load"/>
    /// builds the configuration again, and settings that validate are swapped in for new sessions
    /// (sessions in flight keep theirs). A file that fails validation is refused with a log line and
    /// the running configuration stays. Listeners, connection limits and the queue's location are
    /// bound at start: a change to them is logged and takes effect at the next restart.
    /// </summary>
    public static IServiceCollection AddSluiceReload(this IServiceCollection services, string file, Func<IConfiguration> load)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(load);
        services.AddOptions<SluiceReloadOptions>();
        services.AddHostedService(sp => new SluiceReloadService(
            Path.GetFullPath(file), load, sp,
            sp.GetRequiredService<IOptions<SluiceReloadOptions>>().Value,
            sp.GetRequiredService<ILogger<SluiceReloadService>>()));
        return services;
    }
}

/// <summary>Builds what sessions share from one set of settings: at start and at each reload.</summary>
internal static class SessionServicesFactory
{
    public static SmtpPipelines BuildPipelines(IServiceProvider services, SluiceSettings settings)
    {
        var builder = new SmtpPipelineBuilder(settings, services.GetRequiredService<TimeProvider>());
        foreach (var configure in services.GetRequiredService<IOptions<SmtpPipelineOptions>>().Value.Configure)
        {
            configure(builder);
        }
        return builder.Build();
    }

    public static SessionServices Create(IServiceProvider services, SluiceSettings settings, SmtpPipelines pipelines) =>
        new(settings,
            pipelines,
            services.GetRequiredService<IMessageStore>(),
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<Tls.CertificateStore>(),
            services.GetRequiredService<Auth.ISaslAuthenticator>(),
            services.GetRequiredService<ILogger<SmtpSession>>())
        {
            Metrics = services.GetRequiredService<SluiceMetrics>(),
        };
}

internal sealed partial class SluiceReloadService(
    string file,
    Func<IConfiguration> load,
    IServiceProvider services,
    SluiceReloadOptions options,
    ILogger<SluiceReloadService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var state = services.GetRequiredService<SluiceConfigurationState>();
        var handler = services.GetRequiredService<SmtpConnectionHandler>();
        var time = services.GetRequiredService<TimeProvider>();
        var applied = Hash();
        byte[]? pending = null;
        using var timer = new PeriodicTimer(options.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var hash = Hash();
                if (hash is null || hash.AsSpan().SequenceEqual(applied))
                {
                    pending = null;
                    continue;
                }
                // A file caught in the middle of a write (truncated, half written) would read as
                // valid defaults: act only on content that stayed the same for a whole interval.
                if (pending is null || !hash.AsSpan().SequenceEqual(pending))
                {
                    pending = hash;
                    continue;
                }
                applied = hash;
                pending = null;
                Reload(state, handler);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private void Reload(SluiceConfigurationState state, SmtpConnectionHandler handler)
    {
        SluiceSettings settings;
        try
        {
            var (read, errors) = SluiceSettingsReader.Read(load());
            if (errors.Count > 0)
            {
                LogRefused(logger, file, errors.Count, string.Join("; ", errors));
                state.Refuse(errors);
                return;
            }
            settings = read;
        }
        catch (Exception ex) when (ex is SluiceConfigurationException or IOException or InvalidOperationException or FormatException)
        {
            LogRefusedException(logger, file, ex);
            state.Refuse([]);
            return;
        }

        var previous = state.Current;
        SessionServices next;
        try
        {
            next = SessionServicesFactory.Create(services, settings, SessionServicesFactory.BuildPipelines(services, settings));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            LogRefusedException(logger, file, ex);
            state.Refuse([]);
            return;
        }
        handler.UseServices(next);
        state.Apply(settings);
        LogReloaded(logger, file, state.Generation);
        if (RestartOnly(previous) != RestartOnly(settings))
        {
            LogRestartNeeded(logger, file);
        }
    }

    /// <summary>What a reload cannot change: the listeners, the connection limits, the queue's location,
    /// the set of certificates (their files' content rotates on its own, see CertificateReloadService).</summary>
    private static string RestartOnly(SluiceSettings settings) =>
        string.Join("|", settings.Server.Listeners.Select(l =>
            $"{l.Id} {l.Protocol} {string.Join(',', l.Bind)} {l.ProxyProtocol} {l.MaxConnections} {l.TlsImplicit}"))
        + $"|{settings.Server.MaxConnections}|{settings.Queue.Path}|{settings.Server.ShutdownTimeout}"
        + "|" + string.Join(',', settings.Certificates.Keys.Order(StringComparer.OrdinalIgnoreCase));

    private byte[]? Hash()
    {
        try
        {
            return SHA256.HashData(File.ReadAllBytes(file));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Missing for a moment (an editor's rename, a symlink swap): try again at the next tick.
            return null;
        }
    }

    [LoggerMessage(EventId = 130, Level = LogLevel.Information, Message = "Configuration {File} reloaded (generation {Generation}): new sessions use it")]
    private static partial void LogReloaded(ILogger logger, string file, int generation);

    [LoggerMessage(EventId = 131, Level = LogLevel.Error, Message = "Configuration {File} refused, the running configuration stays: {Count} errors: {Errors}")]
    private static partial void LogRefused(ILogger logger, string file, int count, string errors);

    [LoggerMessage(EventId = 132, Level = LogLevel.Error, Message = "Configuration {File} refused, the running configuration stays")]
    private static partial void LogRefusedException(ILogger logger, string file, Exception exception);

    [LoggerMessage(EventId = 133, Level = LogLevel.Warning, Message = "Configuration {File}: listeners, connection limits, the queue path, the shutdown timeout and added or removed certificates take effect at the next restart")]
    private static partial void LogRestartNeeded(ILogger logger, string file);
}
