using System.Net;

namespace Sluice.Configuration.Settings;

/// <summary>The <c>[server]</c> section (SPEC §2.3).</summary>
public sealed record ServerSettings
{
    public required string Hostname { get; init; }

    public int MaxConnections { get; init; } = 8192;

    public required IReadOnlyList<ListenerSettings> Listeners { get; init; }

    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public required ProxySettings Proxy { get; init; }

    public required TlsSettings Tls { get; init; }
}

public enum ListenerProtocol
{
    Smtp,
    Lmtp,
    Http,
}

/// <summary>One <c>[server.listener.&lt;id&gt;]</c>; its id is the <c>listener</c> rule variable.</summary>
public sealed record ListenerSettings
{
    public required string Id { get; init; }

    public required IReadOnlyList<IPEndPoint> Bind { get; init; }

    public ListenerProtocol Protocol { get; init; } = ListenerProtocol.Smtp;

    public bool TlsImplicit { get; init; }

    /// <summary>Certificate id overriding <c>server.tls.certificate</c>; null to inherit.</summary>
    public string? TlsCertificate { get; init; }

    public IReadOnlyList<string>? TlsProtocols { get; init; }

    public TimeSpan? TlsTimeout { get; init; }

    /// <summary>Per-listener connection limit; null for the server's.</summary>
    public int? MaxConnections { get; init; }

    public bool ProxyProtocol { get; init; }
}

/// <summary><c>[server.proxy]</c>: who may send a PROXY protocol header.</summary>
public sealed record ProxySettings
{
    public IReadOnlyList<IPNetwork> TrustedNetworks { get; init; } = [];

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary><c>[server.tls]</c>.</summary>
public sealed record TlsSettings
{
    /// <summary>Offer STARTTLS; null means "when a certificate is set".</summary>
    public bool? Enable { get; init; }

    public string? Certificate { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(1);

    public IReadOnlyList<string> Protocols { get; init; } = ["TLSv1.2", "TLSv1.3"];
}

/// <summary><c>[certificate.&lt;id&gt;]</c>: PEM text (already read when given as <c>file://</c>), and the
/// files it came from, which are watched for rotation.</summary>
public sealed record CertificateSettings(string Id, string Cert, string PrivateKey)
{
    public string? CertFile { get; init; }

    public string? PrivateKeyFile { get; init; }
}
