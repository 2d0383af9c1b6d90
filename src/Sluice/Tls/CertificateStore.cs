using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Sluice.Configuration.Settings;

namespace Sluice.Tls;

/// <summary>
/// The server certificates of <c>[certificate.&lt;id&gt;]</c>, loaded at start-up and reloaded when
/// their files change. Kubernetes rotates a Secret by swapping a symlink, which FileSystemWatcher
/// misses (TRAPS.md), so the files' contents are polled and compared instead.
/// </summary>
public sealed partial class CertificateStore : IDisposable
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly ILogger<CertificateStore> _logger;

    public CertificateStore(SluiceSettings settings, ILogger<CertificateStore> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _logger = logger;
        foreach (var (id, certificate) in settings.Certificates)
        {
            _entries[id] = new Entry(certificate, Load(certificate.Cert, certificate.PrivateKey));
        }
    }

    /// <summary>The current certificate of <paramref name="id"/>, or null when there is none.</summary>
    public X509Certificate2? Get(string? id) =>
        id is not null && _entries.TryGetValue(id, out var entry) ? Volatile.Read(ref entry.Current) : null;

    /// <summary>Reads the certificate files again and swaps in any that changed and still load. Returns how many changed.</summary>
    public int ReloadIfChanged()
    {
        var changed = 0;
        foreach (var (id, entry) in _entries)
        {
            var settings = entry.Settings;
            if (settings.CertFile is null && settings.PrivateKeyFile is null)
            {
                continue;
            }
            try
            {
                var cert = settings.CertFile is null ? settings.Cert : File.ReadAllText(settings.CertFile);
                var key = settings.PrivateKeyFile is null ? settings.PrivateKey : File.ReadAllText(settings.PrivateKeyFile);
                if (cert == entry.CertText && key == entry.KeyText)
                {
                    continue;
                }
                var loaded = Load(cert, key);
                var old = Interlocked.Exchange(ref entry.Current, loaded);
                entry.CertText = cert;
                entry.KeyText = key;
                changed++;
                LogReloaded(_logger, id, loaded.Subject, loaded.NotAfter);
                // The old certificate may still be in a handshake: let the GC finalize it rather than dispose it now.
                GC.KeepAlive(old);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
            {
                LogReloadFailed(_logger, id, ex.Message);
            }
        }
        return changed;
    }

    public void Dispose()
    {
        foreach (var entry in _entries.Values)
        {
            entry.Current.Dispose();
        }
    }

    /// <summary>PEM text to a certificate SslStream can use as a server certificate on every platform.</summary>
    private static X509Certificate2 Load(string certPem, string keyPem)
    {
        using var ephemeral = X509Certificate2.CreateFromPem(certPem, keyPem);
        // Round-trip through PKCS#12: an ephemeral key is refused by SChannel on Windows; harmless on Linux.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
    }

    private sealed class Entry(CertificateSettings settings, X509Certificate2 current)
    {
        public CertificateSettings Settings { get; } = settings;

        public X509Certificate2 Current = current;

        public string CertText { get; set; } = settings.Cert;

        public string KeyText { get; set; } = settings.PrivateKey;
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Certificate {Id} reloaded: {Subject}, valid until {NotAfter}")]
    private static partial void LogReloaded(ILogger logger, string id, string subject, DateTime notAfter);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Certificate {Id} changed on disk but could not be loaded; keeping the previous one: {Error}")]
    private static partial void LogReloadFailed(ILogger logger, string id, string error);
}
