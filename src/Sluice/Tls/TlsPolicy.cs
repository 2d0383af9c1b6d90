using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Sluice.Configuration.Settings;

namespace Sluice.Tls;

/// <summary>The TLS settings of one listener: <c>server.tls.*</c> with the listener's <c>tls.*</c> overrides.</summary>
internal sealed class TlsPolicy
{
    private readonly CertificateStore _certificates;
    private readonly string? _certificateId;
    private readonly SslProtocols _protocols;

    public TlsPolicy(SluiceSettings settings, ListenerSettings listener, CertificateStore certificates)
    {
        _certificates = certificates;
        _certificateId = listener.TlsCertificate ?? settings.Server.Tls.Certificate;
        Implicit = listener.TlsImplicit;
        Timeout = listener.TlsTimeout ?? settings.Server.Tls.Timeout;
        StartTlsOffered = !Implicit && _certificateId is not null && (settings.Server.Tls.Enable ?? true);
        foreach (var name in listener.TlsProtocols ?? settings.Server.Tls.Protocols)
        {
            _protocols |= name == "TLSv1.3" ? SslProtocols.Tls13 : SslProtocols.Tls12;
        }
    }

    /// <summary>TLS from the first byte (port 465).</summary>
    public bool Implicit { get; }

    /// <summary>STARTTLS is offered: a certificate is configured and <c>server.tls.enable</c> is not false.</summary>
    public bool StartTlsOffered { get; }

    /// <summary>The handshake limit.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Server options for one handshake, with the certificate current at this moment (rotation).</summary>
    public SslServerAuthenticationOptions ServerOptions()
    {
        var certificate = _certificates.Get(_certificateId)
            ?? throw new InvalidOperationException($"certificate '{_certificateId}' is not loaded");
        return new SslServerAuthenticationOptions
        {
            ServerCertificate = certificate,
            EnabledSslProtocols = _protocols,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
    }
}
