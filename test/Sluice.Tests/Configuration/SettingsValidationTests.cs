using System.Net;
using Microsoft.Extensions.Configuration;
using Sluice.Configuration.Settings;
using Sluice.Tests.Support;

namespace Sluice.Tests.Configuration;

/// <summary>Typed, validated settings of SPEC §2.3, §2.4, §2.9 and the DATA limits of §2.5.</summary>
public class SettingsValidationTests
{
    [Test]
    public void With_no_configuration_at_all_the_built_in_defaults_apply()
    {
        var (settings, errors) = SluiceSettingsReader.Read(new ConfigurationBuilder().Build());
        Assert.That(errors, Is.Empty);
        Assert.That(settings.Server.Listeners.Select(l => (l.Id, l.Protocol, l.Bind.Single().ToString())), Is.EqualTo(new[]
        {
            ("smtp", ListenerProtocol.Smtp, "127.0.0.1:2525"),
            ("http", ListenerProtocol.Http, "127.0.0.1:8025"),
        }));
        Assert.Multiple(() =>
        {
            Assert.That(settings.Server.Hostname, Is.EqualTo(Environment.MachineName));
            Assert.That(settings.Server.MaxConnections, Is.EqualTo(8192));
            Assert.That(settings.Server.ShutdownTimeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(settings.Server.Tls.Protocols, Is.EqualTo(new[] { "TLSv1.2", "TLSv1.3" }));
            Assert.That(settings.Server.Tls.Timeout, Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(settings.Server.Proxy.Timeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(settings.Session.Timeout.Evaluate(), Is.EqualTo(TimeSpan.FromMinutes(5)));
            Assert.That(settings.Session.Duration.Evaluate(), Is.EqualTo(TimeSpan.FromMinutes(10)));
            Assert.That(settings.Session.TransferLimit.Evaluate(), Is.EqualTo(262_144_000));
            Assert.That(settings.Session.Data.Limits.Messages.Evaluate(), Is.EqualTo(10));
            Assert.That(settings.Session.Data.Limits.Size.Evaluate(), Is.EqualTo(104_857_600));
            Assert.That(settings.Session.Data.Limits.ReceivedHeaders.Evaluate(), Is.EqualTo(50));
            Assert.That(settings.Queue.Path, Is.EqualTo("./data/queue"));
            Assert.That(settings.Queue.Fsync, Is.True);
            Assert.That(settings.Queue.MinFreeSpace, Is.EqualTo(100L * 1024 * 1024));
        });
    }

    [Test]
    public void Every_server_key_is_read()
    {
        using var dir = new TempDir();
        var (certPem, keyPem) = TestCertificates.SelfSigned("mx.example.org");
        var settings = ConfigHelper.ReadValid(dir, $"""
            [server]
            hostname = "mx.example.org"
            max-connections = 500
            shutdown-timeout = "45s"

            [server.listener.mx]
            bind = ["[::]:25", "0.0.0.0:25"]
            protocol = "smtp"
            max-connections = 100
            proxy-protocol = true

            [server.listener.submissions]
            bind = "127.0.0.1:465"
            tls.implicit = true
            tls.certificate = "main"
            tls.protocols = ["TLSv1.3"]
            tls.timeout = "10s"

            [server.proxy]
            trusted-networks = ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"]
            timeout = "2s"

            [server.tls]
            enable = true
            certificate = "main"
            timeout = "30s"
            protocols = ["TLSv1.2"]

            [certificate.main]
            cert = '''{certPem}'''
            private-key = '''{keyPem}'''
            """);
        var server = settings.Server;
        Assert.Multiple(() =>
        {
            Assert.That(server.Hostname, Is.EqualTo("mx.example.org"));
            Assert.That(server.MaxConnections, Is.EqualTo(500));
            Assert.That(server.ShutdownTimeout, Is.EqualTo(TimeSpan.FromSeconds(45)));
            var mx = server.Listeners.Single(l => l.Id == "mx");
            Assert.That(mx.Bind, Is.EqualTo(new[] { new IPEndPoint(IPAddress.IPv6Any, 25), new IPEndPoint(IPAddress.Any, 25) }));
            Assert.That(mx.MaxConnections, Is.EqualTo(100));
            Assert.That(mx.ProxyProtocol, Is.True);
            var submissions = server.Listeners.Single(l => l.Id == "submissions");
            Assert.That(submissions.TlsImplicit, Is.True);
            Assert.That(submissions.TlsCertificate, Is.EqualTo("main"));
            Assert.That(submissions.TlsProtocols, Is.EqualTo(new[] { "TLSv1.3" }));
            Assert.That(submissions.TlsTimeout, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(submissions.MaxConnections, Is.Null);
            Assert.That(server.Proxy.TrustedNetworks.Select(n => n.ToString()), Is.EqualTo(new[] { "10.0.0.0/8", "2001:db8::/32", "192.0.2.7/32" }));
            Assert.That(server.Proxy.Timeout, Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(server.Tls.Enable, Is.True);
            Assert.That(server.Tls.Certificate, Is.EqualTo("main"));
            Assert.That(server.Tls.Timeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(server.Tls.Protocols, Is.EqualTo(new[] { "TLSv1.2" }));
        });
    }

    [Test]
    public void Queue_keys_are_read()
    {
        using var dir = new TempDir();
        var settings = ConfigHelper.ReadValid(dir, "[queue]\ntype = \"files\"\npath = \"/var/spool/sluice\"\nfsync = false\nmin-free-space = \"2gb\"\n");
        Assert.That(settings.Queue, Is.EqualTo(new QueueSettings { Type = QueueType.Files, Path = "/var/spool/sluice", Fsync = false, MinFreeSpace = 2L * 1024 * 1024 * 1024 }));
    }

    [Test]
    public void Every_error_is_reported_not_just_the_first()
    {
        using var dir = new TempDir();
        var (_, errors, path) = ConfigHelper.Read(dir, """
            [server]
            hostnme = "typo"
            max-connections = 0

            [server.listener.mx]
            bind = "nowhere"
            protocol = "smtps"
            tls.certificate = "missing"

            [session]
            timeout = "soon"
            colour = "blue"

            [queue]
            type = "database"

            [frobnicate]
            x = 1
            """);
        Assert.That(errors.Select(e => e.ToString()), Is.EquivalentTo(new[]
        {
            $"{path}:2: server.hostnme: unknown key",
            $"{path}:3: server.max-connections: must be at least 1, found 0",
            $"{path}:6: server.listener.mx.bind: 'nowhere' is not an address and port (e.g. \"127.0.0.1:2525\" or \"[::]:25\")",
            $"{path}:7: server.listener.mx.protocol: 'smtps' is not a protocol (smtp, lmtp or http)",
            $"{path}:8: server.listener.mx.tls.certificate: no [certificate.missing] is defined",
            $"{path}:11: session.timeout: 'soon' is not a duration (e.g. \"500ms\", \"30s\", \"5m\", \"1h\", \"1d\")",
            $"{path}:12: session.colour: unknown key",
            $"{path}:15: queue.type: 'database' is not a queue type (\"log\" or \"files\")",
            $"{path}:17: frobnicate: unknown key",
        }));
    }

    [Test]
    public void A_listener_needs_an_address()
    {
        using var dir = new TempDir();
        var (_, errors, _) = ConfigHelper.Read(dir, "[server.listener.mx]\nprotocol = \"smtp\"\n");
        Assert.That(errors.Select(e => e.Key + ": " + e.Message), Is.EqualTo(new[] { "server.listener.mx.bind: is required (e.g. \"127.0.0.1:2525\" or \"[::]:25\")" }));
    }

    [Test]
    public void A_file_that_defines_any_listener_replaces_the_built_in_ones()
    {
        using var dir = new TempDir();
        var settings = ConfigHelper.ReadValid(dir, "[server.listener.only]\nbind = \"127.0.0.1:2600\"\n");
        Assert.That(settings.Server.Listeners.Select(l => l.Id), Is.EqualTo(new[] { "only" }));
    }

    [Test]
    public void A_bad_certificate_is_refused_at_start_up()
    {
        using var dir = new TempDir();
        var (_, errors, path) = ConfigHelper.Read(dir, "[certificate.x]\ncert = \"not a pem\"\nprivate-key = \"neither\"\n");
        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0].ToString(), Does.StartWith($"{path}:2: certificate.x.cert: not a valid PEM certificate"));
    }

    [Test]
    public void The_logging_section_is_passed_to_the_host()
    {
        using var dir = new TempDir();
        ConfigHelper.ReadValid(dir, "[logging.loglevel]\ndefault = \"Debug\"\n");
    }
}
