using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

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
        return services;
    }
}
