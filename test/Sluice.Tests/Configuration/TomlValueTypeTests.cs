using Sluice.Configuration.Values;
using Sluice.Tests.Support;

namespace Sluice.Tests.Configuration;

/// <summary>The value types of SPEC §2.1 as they are written in the TOML file.</summary>
public class TomlValueTypeTests
{
    [TestCase("\"500ms\"", 500)]
    [TestCase("\"30s\"", 30_000)]
    [TestCase("\"5m\"", 300_000)]
    [TestCase("\"1h\"", 3_600_000)]
    [TestCase("\"1d\"", 86_400_000)]
    [TestCase("\"2M\"", 120_000)]
    [TestCase("1500", 1500)]
    public void Durations_are_read_in_every_unit_and_as_milliseconds(string toml, long expectedMs)
    {
        using var dir = new TempDir();
        var settings = ConfigHelper.ReadValid(dir, $"[session]\ntimeout = {toml}\n");
        Assert.That(settings.Session.Timeout.Evaluate(), Is.EqualTo(TimeSpan.FromMilliseconds(expectedMs)));
    }

    [TestCase("1048576", 1048576L)]
    [TestCase("\"10kb\"", 10L * 1024)]
    [TestCase("\"25mb\"", 25L * 1024 * 1024)]
    [TestCase("\"1gb\"", 1024L * 1024 * 1024)]
    [TestCase("\"3K\"", 3L * 1024)]
    [TestCase("\"2m\"", 2L * 1024 * 1024)]
    [TestCase("\"1G\"", 1024L * 1024 * 1024)]
    [TestCase("\"7MB\"", 7L * 1024 * 1024)]
    public void Sizes_are_1024_based_and_case_insensitive(string toml, long expected)
    {
        using var dir = new TempDir();
        var settings = ConfigHelper.ReadValid(dir, $"[session.data.limits]\nsize = {toml}\n");
        Assert.That(settings.Session.Data.Limits.Size.Evaluate(), Is.EqualTo(expected));
    }

    [TestCase("100/1s", 100, 1000)]
    [TestCase("25/1h", 25, 3_600_000)]
    [TestCase("5 / 30s", 5, 30_000)]
    public void Rates_parse(string text, int count, long periodMs)
    {
        Assert.That(RateValue.TryParse(text, out var rate), Is.True);
        Assert.That(rate, Is.EqualTo(new RateValue(count, TimeSpan.FromMilliseconds(periodMs))));
    }

    [TestCase("100")]
    [TestCase("/1s")]
    [TestCase("0/1s")]
    [TestCase("10/forever")]
    [TestCase("10/0s")]
    public void Bad_rates_are_refused(string text) => Assert.That(RateValue.TryParse(text, out _), Is.False);

    [TestCase("timeout = \"5 minutes\"", "session.timeout", "not a duration")]
    [TestCase("timeout = \"10x\"", "session.timeout", "not a duration")]
    [TestCase("timeout = true", "session.timeout", "expected a duration")]
    [TestCase("timeout = \"0s\"", "session.timeout", "greater than zero")]
    [TestCase("transfer-limit = \"12 parsecs\"", "session.transfer-limit", "not a size")]
    [TestCase("transfer-limit = 1.5", "session.transfer-limit", "expected a size")]
    public void Bad_values_name_the_key_and_the_line(string line, string key, string message)
    {
        using var dir = new TempDir();
        var (_, errors, path) = ConfigHelper.Read(dir, $"# comment\n[session]\n{line}\n");
        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0].ToString(), Does.StartWith($"{path}:3: {key}: "));
        Assert.That(errors[0].Message, Does.Contain(message));
    }

    [Test]
    public void A_value_of_the_wrong_TOML_type_is_an_error_not_a_conversion()
    {
        using var dir = new TempDir();
        var (_, errors, path) = ConfigHelper.Read(dir, "[session.data.limits]\nmessages = \"100\"\n[queue]\nfsync = \"yes\"\n");
        Assert.That(errors.Select(e => e.ToString()), Is.EqualTo(new[]
        {
            $"{path}:2: session.data.limits.messages: expected an integer, found a string",
            $"{path}:4: queue.fsync: expected a boolean, found a string",
        }));
    }

    [Test]
    public void TOML_1_1_inline_tables_may_span_lines()
    {
        using var dir = new TempDir();
        var settings = ConfigHelper.ReadValid(dir, """
            [server]
            listener = { mx = { bind = ["127.0.0.1:2525",
                                        "[::1]:2525"],
                                protocol = "smtp",
                                max-connections = 10 },
                         web = { bind = "127.0.0.1:8080", protocol = "http" } }
            """);
        var mx = settings.Server.Listeners.Single(l => l.Id == "mx");
        Assert.That(mx.Bind.Select(b => b.ToString()), Is.EqualTo(new[] { "127.0.0.1:2525", "[::1]:2525" }));
        Assert.That(mx.MaxConnections, Is.EqualTo(10));
        Assert.That(settings.Server.Listeners.Single(l => l.Id == "web").Protocol, Is.EqualTo(Sluice.Configuration.Settings.ListenerProtocol.Http));
    }

    [Test]
    public void File_urls_read_the_file_relative_to_the_configuration()
    {
        using var dir = new TempDir();
        var (certPem, keyPem) = TestCertificates.SelfSigned("mx.test.example");
        dir.File("cert.pem", certPem);
        dir.File("key.pem", keyPem);
        var settings = ConfigHelper.ReadValid(dir, """
            [certificate.default]
            cert = "file://cert.pem"
            private-key = "file://key.pem"
            [server.tls]
            certificate = "default"
            """);
        Assert.That(settings.Certificates["default"].Cert, Is.EqualTo(certPem));
        Assert.That(settings.Certificates["default"].PrivateKey, Is.EqualTo(keyPem));
        Assert.That(settings.Server.Tls.Certificate, Is.EqualTo("default"));
    }

    [Test]
    public void A_missing_file_url_is_an_error_on_its_line()
    {
        using var dir = new TempDir();
        var (_, errors, path) = ConfigHelper.Read(dir, "[certificate.x]\ncert = \"file://nope.pem\"\nprivate-key = \"file://nope.key\"\n");
        Assert.That(errors.Select(e => e.Key), Is.EquivalentTo(new[] { "certificate.x.cert", "certificate.x.private-key" }));
        Assert.That(errors[0].ToString(), Does.StartWith($"{path}:2: certificate.x.cert: cannot read file://nope.pem"));
    }

    [Test]
    public void Syntax_errors_carry_the_line()
    {
        using var dir = new TempDir();
        var (_, errors, path) = ConfigHelper.Read(dir, "[server]\nhostname = \"mx\"\nmax-connections = \n");
        Assert.That(errors, Is.Not.Empty);
        Assert.That(errors[0].ToString(), Does.StartWith($"{path}:3: "));
    }

    [Test]
    public void A_key_defined_twice_is_an_error()
    {
        using var dir = new TempDir();
        var (_, errors, path) = ConfigHelper.Read(dir, "[queue]\npath = \"a\"\npath = \"b\"\n");
        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0].ToString(), Does.StartWith($"{path}:3: "));
    }
}
