using System.Net;
using Sluice.Configuration;
using Sluice.Configuration.Layers;
using Sluice.Tests.Configuration;
using Sluice.Tests.Support;

namespace Sluice.Tests.Rules;

/// <summary>
/// Rules that come from the environment or the command line: the ProviderLayer turns their text
/// into the same tree as the file, so they compile the same. These tests change the process
/// environment, so they do not run in parallel with anything.
/// </summary>
[NonParallelizable]
public class RuleLayeringTests
{
    private readonly List<string> _set = [];

    [TearDown]
    public void ClearEnvironment()
    {
        foreach (var name in _set)
        {
            Environment.SetEnvironmentVariable(name, null);
        }
        _set.Clear();
    }

    private void SetEnv(string name, string value)
    {
        _set.Add(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    [Test]
    public void A_rule_array_from_an_environment_variable_compiles()
    {
        SetEnv("SLUICE__session__rcpt__relay", """[{if="authenticated-as", ne="", then=true},{else=false}]""");
        using var harness = new RuleHarness();
        var relay = harness.Section("[server]\nhostname = \"mx.example.org\"\n", "session.rcpt").BoolRule("relay", false);
        Assert.That(harness.Messages, Is.Empty);
        Assert.Multiple(() =>
        {
            Assert.That(relay.IsConstant, Is.False);
            Assert.That(relay.Evaluate(new RuleContext { AuthenticatedAs = "jane" }), Is.True);
            Assert.That(relay.Evaluate(new RuleContext()), Is.False);
        });
    }

    [Test]
    public void An_environment_rule_replaces_the_file_rule_whole()
    {
        SetEnv("SLUICE__session__timeout", """[ { if = "remote-ip", eq = "10.0.0.0/8", then = "1h" }, { else = "30s" } ]""");
        using var dir = new TempDir();
        var settings = ConfigHelper.ReadValid(dir, """
            [session]
            timeout = [ { if = "listener", eq = "mx", then = "2m" },
                        { if = "listener", eq = "submission", then = "3m" },
                        { else = "1m" } ]
            """);
        var timeout = settings.Session.Timeout;
        Assert.Multiple(() =>
        {
            Assert.That(timeout.BranchCount, Is.EqualTo(1));
            Assert.That(timeout.Evaluate(new RuleContext { RemoteIp = IPAddress.Parse("10.1.1.1"), Listener = "mx" }), Is.EqualTo(TimeSpan.FromHours(1)));
            Assert.That(timeout.Evaluate(new RuleContext { RemoteIp = IPAddress.Parse("192.0.2.1"), Listener = "mx" }), Is.EqualTo(TimeSpan.FromSeconds(30)));
        });
    }

    [Test]
    public void An_error_in_an_environment_rule_names_the_environment()
    {
        SetEnv("SLUICE__session__timeout", """[ { if = "remote-addr", eq = "10.0.0.0/8", then = "1h" }, { else = "30s" } ]""");
        using var dir = new TempDir();
        var (_, errors, _) = ConfigHelper.Read(dir, "");
        Assert.That(errors.Select(e => e.ToString()), Is.EqualTo(new[]
        {
            "environment:0: session.timeout[0].if: 'remote-addr' is not a variable (remote-ip, remote-port, local-ip, local-port, listener, helo-domain, sender, sender-domain, rcpt, rcpt-domain, authenticated-as, priority, is-tls)",
        }));
    }

    [Test]
    public void A_rule_on_the_command_line_compiles()
    {
        using var dir = new TempDir();
        var settings = ConfigHelper.ReadValid(dir, "",
            """--session:data:limits:messages=[{ if = "is-tls", eq = "true", then = 50 }, { else = 5 }]""");
        var messages = settings.Session.Data.Limits.Messages;
        Assert.Multiple(() =>
        {
            Assert.That(messages.Evaluate(new RuleContext { IsTls = true }), Is.EqualTo(50));
            Assert.That(messages.Evaluate(new RuleContext()), Is.EqualTo(5));
        });
    }

    [Test]
    public void Rules_in_the_file_reach_the_typed_settings()
    {
        using var dir = new TempDir();
        var settings = ConfigHelper.ReadValid(dir, """
            [directory.local]
            type = "memory"
            [directory.local.lookup]
            slow = ["203.0.113.0/24"]

            [session]
            timeout = [ { if = "remote-ip", in-list = "local/slow", then = "20m" }, { else = "5m" } ]
            transfer-limit = [ { if = "authenticated-as", ne = "", then = "1gb" }, { else = "50mb" } ]

            [session.data.limits]
            size = [ { if = "listener", eq = "submission", then = 52428800 }, { else = "10mb" } ]
            """);
        var slow = new RuleContext { RemoteIp = IPAddress.Parse("203.0.113.8"), Listener = "submission", AuthenticatedAs = "jane" };
        Assert.Multiple(() =>
        {
            Assert.That(settings.Session.Timeout.Evaluate(slow), Is.EqualTo(TimeSpan.FromMinutes(20)));
            Assert.That(settings.Session.Timeout.Evaluate(new RuleContext()), Is.EqualTo(TimeSpan.FromMinutes(5)));
            Assert.That(settings.Session.TransferLimit.Evaluate(slow), Is.EqualTo(1024L * 1024 * 1024));
            Assert.That(settings.Session.TransferLimit.Else, Is.EqualTo(50L * 1024 * 1024));
            Assert.That(settings.Session.Data.Limits.Size.Evaluate(slow), Is.EqualTo(52_428_800));
            Assert.That(settings.Session.Data.Limits.Size.Evaluate(new RuleContext()), Is.EqualTo(10L * 1024 * 1024));
        });
    }

    [Test]
    public void A_directory_from_the_environment_serves_a_rule_from_the_file()
    {
        SetEnv("SLUICE__directory__env__type", "memory");
        SetEnv("SLUICE__directory__env__domains", """["example.org"]""");
        SetEnv("SLUICE__directory__env__users__0__name", "jane");
        SetEnv("SLUICE__directory__env__users__0__email", "jane@example.org");
        SetEnv("SLUICE__directory__env__lookup__blocked", """["10.0.0.0/8", "2001:db8::/32"]""");
        using var dir = new TempDir();
        var settings = ConfigHelper.ReadValid(dir, """
            [session]
            timeout = [ { if = "remote-ip", in-list = "env/blocked", then = "10s" }, { else = "5m" } ]
            """);
        var directory = settings.Directories["env"];
        Assert.Multiple(() =>
        {
            Assert.That(directory.IsLocalDomainAsync("example.org").AsTask().Result, Is.True);
            Assert.That(directory.FindByAddressAsync("jane@example.org").AsTask().Result?.Name, Is.EqualTo("jane"));
            Assert.That(settings.Session.Timeout.Evaluate(new RuleContext { RemoteIp = IPAddress.Parse("2001:db8::1") }), Is.EqualTo(TimeSpan.FromSeconds(10)));
        });
    }
}
