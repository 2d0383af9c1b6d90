using Microsoft.Extensions.Diagnostics.HealthChecks;
using Sluice.Configuration.Settings;

namespace Sluice.Hosting;

/// <summary>Readiness: every SMTP listener is bound and the server is not draining.</summary>
internal sealed class ListenersHealthCheck(SluiceListenerRegistry registry) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            registry.Draining ? HealthCheckResult.Unhealthy("draining: the server is shutting down")
            : registry.AllBound ? HealthCheckResult.Healthy("all listeners bound")
            : HealthCheckResult.Unhealthy("listeners not bound yet"));
}

/// <summary>Readiness: the queue directory is writable and has <c>queue.min-free-space</c> free.</summary>
internal sealed class QueueHealthCheck(SluiceSettings settings) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var path = Path.GetFullPath(settings.Queue.Path);
        try
        {
            Directory.CreateDirectory(path);
            var probe = Path.Combine(path, $".ready-{Environment.ProcessId}-{Guid.NewGuid():N}");
            await File.WriteAllBytesAsync(probe, [1], cancellationToken);
            File.Delete(probe);
            var free = new DriveInfo(path).AvailableFreeSpace;
            return free >= settings.Queue.MinFreeSpace
                ? HealthCheckResult.Healthy($"queue writable, {free} bytes free")
                : HealthCheckResult.Unhealthy($"queue has {free} bytes free, below queue.min-free-space ({settings.Queue.MinFreeSpace})");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy("queue not writable: " + ex.Message);
        }
    }
}
