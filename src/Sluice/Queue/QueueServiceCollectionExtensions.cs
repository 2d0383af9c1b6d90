using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sluice.Queue.Log;

namespace Sluice.Queue;

/// <summary>Registers the built-in message stores.</summary>
public static class QueueServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <c>files</c> store as <see cref="IMessageStore"/> (and as <see cref="FilesMessageStore"/>).
    /// An <see cref="IMessageStore"/> the host registered before is kept; one registered after wins.
    /// Uses a registered <see cref="IQueueFileSystem"/> and <see cref="TimeProvider"/> when there are any.
    /// </summary>
    public static IServiceCollection AddSluiceFilesQueue(this IServiceCollection services, string path, bool fsync = true) =>
        services.AddSluiceFilesQueue(new FilesMessageStoreOptions { Path = path, Fsync = fsync });

    /// <inheritdoc cref="AddSluiceFilesQueue(IServiceCollection, string, bool)"/>
    public static IServiceCollection AddSluiceFilesQueue(this IServiceCollection services, FilesMessageStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton<IQueueFileSystem>(PhysicalQueueFileSystem.Instance);
        services.TryAddSingleton(sp => new FilesMessageStore(
            options,
            sp.GetRequiredService<IQueueFileSystem>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<FilesMessageStore>>()));
        services.TryAddSingleton<IMessageStore>(sp => sp.GetRequiredService<FilesMessageStore>());
        services.TryAddSingleton<IQueueReader>(sp => new FilesQueueReader(
            options.Path, options.Fsync, sp.GetRequiredService<IQueueFileSystem>(), sp.GetService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// Registers the <c>log</c> store as <see cref="IMessageStore"/> (and as <see cref="LogMessageStore"/>),
    /// an <see cref="IQueueReader"/> on the same directory for consumers, and its start-up (recovery at
    /// host start). The store is disposed with the container, which seals its segment.
    /// An <see cref="IMessageStore"/> the host registered before is kept; one registered after wins.
    /// </summary>
    public static IServiceCollection AddSluiceLogQueue(this IServiceCollection services, string path, bool fsync = true) =>
        services.AddSluiceLogQueue(new LogMessageStoreOptions { Path = path, Fsync = fsync });

    /// <inheritdoc cref="AddSluiceLogQueue(IServiceCollection, string, bool)"/>
    public static IServiceCollection AddSluiceLogQueue(this IServiceCollection services, LogMessageStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton<IQueueFileSystem>(PhysicalQueueFileSystem.Instance);
        services.TryAddSingleton(sp => new LogMessageStore(
            options,
            sp.GetRequiredService<IQueueFileSystem>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<LogMessageStore>>()));
        services.TryAddSingleton<IMessageStore>(sp => sp.GetRequiredService<LogMessageStore>());
        services.TryAddSingleton<IQueueReader>(sp => new LogQueueReader(
            options.Path, options.Fsync, sp.GetRequiredService<IQueueFileSystem>(), sp.GetService<TimeProvider>(), sp.GetService<ILogger<LogQueueReader>>(),
            sp.GetService<IMessageStore>() as LogMessageStore));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, LogQueueStartup>());
        return services;
    }
}
