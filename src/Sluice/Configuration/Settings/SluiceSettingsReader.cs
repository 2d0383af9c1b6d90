using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Sluice.Configuration.Layers;

namespace Sluice.Configuration.Settings;

/// <summary>
/// Reads and validates Sluice's settings from a layered <see cref="IConfiguration"/>. Every key of
/// Sluice's sections is typed here; unknown keys, wrong types and bad values are all collected (not
/// just the first) with the file and line they come from.
/// </summary>
public static class SluiceSettingsReader
{
    /// <summary>Top-level sections that belong to Sluice (and are checked for unknown keys).</summary>
    private static readonly string[] s_ownSections = ["server", "certificate", "session", "queue", "directory", "sieve"];

    /// <summary>Top-level sections a TOML file may hold that are not Sluice's own (passed to the host).</summary>
    private static readonly string[] s_passThroughSections = ["logging"];

    public static (SluiceSettings Settings, IReadOnlyList<ConfigError> Errors) Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var errors = new List<ConfigError>();
        var layers = LayersOf(configuration, errors);
        var root = new ConfigSection(layers, [], errors);

        var certificates = ReadCertificates(root.Section("certificate"));
        // Directories first: rules anywhere below may name their lookup lists in in-list.
        root.Directories = DirectorySettingsReader.Read(root.Section("directory"));
        var sieve = SieveSettingsReader.Read(root.Section("sieve"));
        var settings = new SluiceSettings
        {
            Server = ReadServer(root.Section("server"), certificates),
            Certificates = certificates,
            Session = ReadSession(root.Section("session"), sieve),
            Queue = ReadQueue(root.Section("queue")),
            Directories = root.Directories,
            Sieve = sieve,
        };

        // Unknown top-level keys are only checked in TOML files: a host's IConfiguration also holds
        // appsettings.json, every environment variable and its own sections.
        foreach (var layer in layers.OfType<TomlLayer>())
        {
            foreach (var key in layer.ChildKeys([]))
            {
                if (!s_ownSections.Contains(key, StringComparer.OrdinalIgnoreCase)
                    && !s_passThroughSections.Contains(key, StringComparer.OrdinalIgnoreCase))
                {
                    errors.Add(new ConfigError(layer.Node([key])!.Source, key, "unknown key"));
                }
            }
        }

        return (settings, errors);
    }

    /// <summary>Reads the settings and throws <see cref="SluiceConfigurationException"/> listing every error.</summary>
    public static SluiceSettings ReadOrThrow(IConfiguration configuration)
    {
        var (settings, errors) = Read(configuration);
        return errors.Count > 0 ? throw new SluiceConfigurationException(errors) : settings;
    }

    private static List<ConfigLayer> LayersOf(IConfiguration configuration, List<ConfigError> errors)
    {
        var layers = new List<ConfigLayer>();
        if (configuration is IConfigurationRoot root)
        {
            foreach (var provider in root.Providers.Reverse())
            {
                var layer = ConfigLayer.For(provider);
                if (layer is TomlLayer toml)
                {
                    errors.AddRange(toml.Errors);
                }
                layers.Add(layer);
            }
        }
        else
        {
            layers.Add(new ConfigurationLayer(configuration));
        }
        return layers;
    }

    private static Dictionary<string, CertificateSettings> ReadCertificates(ConfigSection section)
    {
        var result = new Dictionary<string, CertificateSettings>(StringComparer.OrdinalIgnoreCase);
        foreach (var id in section.Keys())
        {
            var entry = section.Section(id);
            var cert = entry.FileBackedString("cert", out var certFile);
            var key = entry.FileBackedString("private-key", out var keyFile);
            entry.ReportUnknown();
            if (cert is null || key is null)
            {
                if (!entry.Errors.Any(e => e.Key.StartsWith(entry.Name + ".", StringComparison.Ordinal)))
                {
                    entry.Error(entry.Value(cert is null ? "cert" : "private-key"), cert is null ? "cert" : "private-key", "is required");
                }
                continue;
            }
            try
            {
                using var parsed = X509Certificate2.CreateFromPem(cert, key);
            }
            catch (CryptographicException ex)
            {
                entry.Error(entry.Value("cert"), "cert", "not a valid PEM certificate and private key: " + ex.Message);
                continue;
            }
            result[id] = new CertificateSettings(id, cert, key) { CertFile = certFile, PrivateKeyFile = keyFile };
        }
        return result;
    }

    private static ServerSettings ReadServer(ConfigSection section, Dictionary<string, CertificateSettings> certificates)
    {
        var tlsSection = section.Section("tls");
        var tls = new TlsSettings
        {
            Enable = tlsSection.Value("enable") is null ? null : tlsSection.Bool("enable", false),
            Certificate = CertificateId(tlsSection, "certificate", certificates),
            Timeout = tlsSection.Duration("timeout", TimeSpan.FromMinutes(1)),
            Protocols = TlsProtocols(tlsSection, "protocols") ?? ["TLSv1.2", "TLSv1.3"],
        };
        tlsSection.ReportUnknown();
        if (tls.Enable == true && tls.Certificate is null && tlsSection.Errors.Count == 0)
        {
            tlsSection.Error(tlsSection.Value("enable"), "enable", "TLS is enabled but server.tls.certificate is not set");
        }

        var proxySection = section.Section("proxy");
        var proxy = new ProxySettings
        {
            TrustedNetworks = proxySection.Networks("trusted-networks"),
            Timeout = proxySection.Duration("timeout", TimeSpan.FromSeconds(5)),
        };
        proxySection.ReportUnknown();

        var settings = new ServerSettings
        {
            Hostname = NonEmpty(section, "hostname", Environment.MachineName),
            MaxConnections = (int)section.Integer("max-connections", 8192, 1, int.MaxValue),
            ShutdownTimeout = section.Duration("shutdown-timeout", TimeSpan.FromSeconds(30)),
            Listeners = ReadListeners(section.Section("listener"), certificates),
            Proxy = proxy,
            Tls = tls,
        };
        section.ReportUnknown();
        return settings;
    }

    private static List<ListenerSettings> ReadListeners(ConfigSection section, Dictionary<string, CertificateSettings> certificates)
    {
        var ids = section.Keys();
        if (ids.Count == 0)
        {
            // SPEC §1: with no listeners configured, SMTP on 2525 and HTTP on 8025, loopback only.
            return
            [
                new ListenerSettings { Id = "smtp", Bind = [new IPEndPoint(IPAddress.Loopback, 2525)] },
                new ListenerSettings { Id = "http", Bind = [new IPEndPoint(IPAddress.Loopback, 8025)], Protocol = ListenerProtocol.Http },
            ];
        }

        var listeners = new List<ListenerSettings>();
        foreach (var id in ids)
        {
            var entry = section.Section(id);
            var tls = entry.Section("tls");
            var protocolText = entry.String("protocol", "smtp");
            var protocol = protocolText.ToUpperInvariant() switch
            {
                "SMTP" => ListenerProtocol.Smtp,
                "LMTP" => ListenerProtocol.Lmtp,
                "HTTP" => ListenerProtocol.Http,
                _ => (ListenerProtocol?)null,
            };
            if (protocol is null)
            {
                entry.Error(entry.Value("protocol"), "protocol", $"'{protocolText}' is not a protocol (smtp, lmtp or http)");
            }

            var listener = new ListenerSettings
            {
                Id = id,
                Bind = Endpoints(entry, "bind"),
                Protocol = protocol ?? ListenerProtocol.Smtp,
                TlsImplicit = tls.Bool("implicit", false),
                TlsCertificate = CertificateId(tls, "certificate", certificates),
                TlsProtocols = TlsProtocols(tls, "protocols"),
                TlsTimeout = tls.Value("timeout") is null ? null : tls.Duration("timeout", TimeSpan.FromMinutes(1)),
                MaxConnections = entry.Value("max-connections") is null ? null : (int)entry.Integer("max-connections", 1, 1, int.MaxValue),
                ProxyProtocol = entry.Bool("proxy-protocol", false),
            };
            tls.ReportUnknown();
            entry.ReportUnknown();
            listeners.Add(listener);
        }
        return listeners;
    }

    private static SessionSettings ReadSession(ConfigSection section, SieveScriptSettings sieve)
    {
        var connect = section.Section("connect");
        var ehlo = section.Section("ehlo");
        var extensions = section.Section("extensions");
        var rcpt = section.Section("rcpt");
        var rcptErrors = rcpt.Section("errors");
        var data = section.Section("data");
        var limits = data.Section("limits");
        var addHeaders = data.Section("add-headers");
        var settings = new SessionSettings
        {
            Timeout = section.DurationRule("timeout", TimeSpan.FromMinutes(5)),
            TransferLimit = section.SizeRule("transfer-limit", 262_144_000),
            Duration = section.DurationRule("duration", TimeSpan.FromMinutes(10)),
            Connect = new ConnectSettings
            {
                Greeting = connect.StringRule("greeting", "Sluice ESMTP at your service"),
            },
            Ehlo = new EhloSettings
            {
                Require = ehlo.BoolRule("require", true),
                RejectNonFqdn = ehlo.BoolRule("reject-non-fqdn", false),
            },
            Extensions = new ExtensionSettings
            {
                Pipelining = extensions.BoolRule("pipelining", true),
                Chunking = extensions.BoolRule("chunking", true),
                RequireTls = extensions.BoolRule("requiretls", true),
            },
            Auth = AuthSettingsReader.Read(section.Section("auth")),
            Rcpt = new RcptSettings
            {
                MaxRecipients = rcpt.IntRule("max-recipients", 100, 1),
                ErrorsTotal = rcptErrors.IntRule("total", 5, 1),
                ErrorsWait = rcptErrors.Rule("wait", TimeSpan.FromSeconds(5), ZeroOrMoreDuration),
            },
            Data = new DataSettings
            {
                Limits = new DataLimits
                {
                    Messages = limits.IntRule("messages", 10, 1),
                    Size = limits.SizeRule("size", 104_857_600),
                    ReceivedHeaders = limits.IntRule("received-headers", 50, 1),
                },
                AddHeaders = new AddHeaderSettings
                {
                    Received = addHeaders.BoolRule("received", true),
                    MessageId = addHeaders.BoolRule("message-id", true),
                    Date = addHeaders.BoolRule("date", true),
                    ReturnPath = addHeaders.BoolRule("return-path", true),
                },
            },
        };
        // One section object per table: each reader asks its own keys of session.mail, and the unknown
        // ones are reported once, below, after both have asked.
        var mail = section.Section("mail");
        settings = settings with { Policy = SessionPolicyReader.Read(section, mail, rcpt, extensions) };
        SieveSettingsReader.ReadStages(sieve, connect, ehlo, mail, rcpt, data);
        foreach (var sub in new[] { connect, ehlo, extensions, mail, rcptErrors, rcpt, limits, addHeaders, data, section })
        {
            sub.ReportUnknown();
        }
        return settings;
    }

    /// <summary>A wait may be zero ("0s" or 0): no delay.</summary>
    private static TimeSpan ZeroOrMoreDuration(ConfigSection section, string key, Toml.ConfigNode node, TimeSpan fallback)
    {
        if (node.Kind == Toml.ConfigNodeKind.Integer && (long)node.Scalar! == 0)
        {
            return TimeSpan.Zero;
        }
        if (node.Kind == Toml.ConfigNodeKind.String && Values.DurationValue.TryParse((string)node.Scalar!, out var parsed))
        {
            return parsed;
        }
        return section.Duration(key, fallback);
    }

    private static QueueSettings ReadQueue(ConfigSection section)
    {
        var typeText = section.String("type", "log");
        var type = typeText.ToUpperInvariant() switch
        {
            "FILES" => QueueType.Files,
            "LOG" => QueueType.Log,
            _ => (QueueType?)null,
        };
        if (type is null)
        {
            section.Error(section.Value("type"), "type", $"'{typeText}' is not a queue type (\"log\" or \"files\")");
        }

        var settings = new QueueSettings
        {
            Type = type ?? QueueType.Log,
            Path = NonEmpty(section, "path", "./data/queue"),
            Fsync = section.Bool("fsync", true),
            MinFreeSpace = section.Size("min-free-space", 100L * 1024 * 1024),
        };
        section.ReportUnknown();
        return settings;
    }

    private static string NonEmpty(ConfigSection section, string key, string fallback)
    {
        var value = section.String(key, fallback);
        if (string.IsNullOrWhiteSpace(value))
        {
            section.Error(section.Value(key), key, "must not be empty");
            return fallback;
        }
        return value;
    }

    private static string? CertificateId(ConfigSection section, string key, Dictionary<string, CertificateSettings> certificates)
    {
        var id = section.OptionalString(key);
        if (id is not null && !certificates.ContainsKey(id))
        {
            section.Error(section.Value(key), key, $"no [certificate.{id}] is defined");
            return null;
        }
        return id;
    }

    private static List<string>? TlsProtocols(ConfigSection section, string key)
    {
        if (section.Value(key) is null)
        {
            return null;
        }
        var result = new List<string>();
        foreach (var name in section.StringArray(key, []))
        {
            if (name is "TLSv1.2" or "TLSv1.3")
            {
                result.Add(name);
            }
            else
            {
                section.Error(section.Value(key), key, $"'{name}' is not a supported TLS version (\"TLSv1.2\", \"TLSv1.3\")");
            }
        }
        return result;
    }

    private static List<IPEndPoint> Endpoints(ConfigSection section, string key)
    {
        var node = section.Value(key);
        var result = new List<IPEndPoint>();
        if (node is null)
        {
            section.Error(null, key, "is required (e.g. \"127.0.0.1:2525\" or \"[::]:25\")");
            return result;
        }
        foreach (var text in section.StringArray(key, [], allowSingle: true))
        {
            if (TryParseEndpoint(text, out var endpoint))
            {
                result.Add(endpoint);
            }
            else
            {
                section.Error(node, key, $"'{text}' is not an address and port (e.g. \"127.0.0.1:2525\" or \"[::]:25\")");
            }
        }
        return result;
    }

    internal static bool TryParseEndpoint(string text, out IPEndPoint endpoint)
    {
        endpoint = null!;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return false;
        }
        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            return false; // an IPv6 address needs brackets: "[::1]:25"
        }
        IPAddress? address = host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" => IPAddress.IPv6Any,
            _ => IPAddress.TryParse(host, out var parsed) ? parsed : null,
        };
        if (address is null)
        {
            return false;
        }
        endpoint = new IPEndPoint(address, port);
        return true;
    }
}
