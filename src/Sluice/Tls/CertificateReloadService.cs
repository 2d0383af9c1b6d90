using Microsoft.Extensions.Hosting;

namespace Sluice.Tls;

/// <summary>Polls the certificate files every <see cref="Interval"/> and reloads the ones that changed.</summary>
internal sealed class CertificateReloadService(CertificateStore store, TimeProvider time) : IHostedService, IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private ITimer? _timer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = time.CreateTimer(static s => ((CertificateStore)s!).ReloadIfChanged(), store, Interval, Interval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();
}
