using Sluice.Tests.Support;

namespace Sluice.Tests.Configuration;

/// <summary>
/// SPEC §1 layering: defaults, the TOML file, <c>SLUICE__</c> environment variables, the command line;
/// a higher layer replaces a key's whole value. These tests change the process environment, so they
/// do not run in parallel with anything.
/// </summary>
[NonParallelizable]
public class LayeringTests
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
    public void Environment_overrides_the_file_and_the_command_line_overrides_both()
    {
        using var dir = new TempDir();
        SetEnv("SLUICE__session__timeout", "2m");
        SetEnv("SLUICE__queue__path", "/from/env");
        var settings = ConfigHelper.ReadValid(dir, "[session]\ntimeout = \"1m\"\nduration = \"20m\"\n[queue]\npath = \"/from/file\"\n",
            "--queue:path=/from/cli");
        Assert.Multiple(() =>
        {
            Assert.That(settings.Session.Timeout.Evaluate(), Is.EqualTo(TimeSpan.FromMinutes(2)));
            Assert.That(settings.Session.Duration.Evaluate(), Is.EqualTo(TimeSpan.FromMinutes(20)));
            Assert.That(settings.Queue.Path, Is.EqualTo("/from/cli"));
        });
    }

    [Test]
    public void An_environment_variable_replaces_an_array_whole_instead_of_merging_it_by_index()
    {
        using var dir = new TempDir();
        SetEnv("SLUICE__server__proxy__trusted-networks", "[\"127.0.0.0/8\"]");
        var settings = ConfigHelper.ReadValid(dir, "[server.proxy]\ntrusted-networks = [\"10.0.0.0/8\", \"192.168.0.0/16\"]\n");
        Assert.That(settings.Server.Proxy.TrustedNetworks.Select(n => n.ToString()), Is.EqualTo(new[] { "127.0.0.0/8" }));
    }

    [Test]
    public void An_environment_variable_replaces_a_rule_array_with_a_plain_value()
    {
        using var dir = new TempDir();
        SetEnv("SLUICE__session__data__limits__messages", "3");
        // The file's rule array would leave "messages:0:if" ... beside the variable in IConfiguration;
        // the whole value comes from the environment instead, so none of it is read.
        var settings = ConfigHelper.ReadValid(dir, """
            [session.data.limits]
            messages = [ { if = "listener", eq = "smtp", then = 100 },
                         { else = 5 } ]
            """);
        Assert.That(settings.Session.Data.Limits.Messages.Evaluate(), Is.EqualTo(3));
    }

    [Test]
    public void Environment_values_keep_TOML_types()
    {
        using var dir = new TempDir();
        SetEnv("SLUICE__queue__fsync", "\"false\"");
        var (_, errors, _) = ConfigHelper.Read(dir, "");
        Assert.That(errors.Select(e => e.ToString()), Is.EqualTo(new[] { "environment:0: queue.fsync: expected a boolean, found a string" }));
    }

    [Test]
    public void Environment_variable_names_may_use_underscores_for_dashes()
    {
        using var dir = new TempDir();
        SetEnv("SLUICE__queue__min_free_space", "5mb");
        var settings = ConfigHelper.ReadValid(dir, "");
        Assert.That(settings.Queue.MinFreeSpace, Is.EqualTo(5L * 1024 * 1024));
    }

    [Test]
    public void Kubernetes_service_variables_are_not_taken_for_settings()
    {
        using var dir = new TempDir();
        SetEnv("SLUICE_PORT_25_TCP", "tcp://10.0.0.1:25");
        SetEnv("SLUICE_SERVICE_HOST", "10.0.0.1");
        SetEnv("SLUICE_PORT", "tcp://10.0.0.1:25");
        var settings = ConfigHelper.ReadValid(dir, "[queue]\npath = \"/q\"\n");
        Assert.That(settings.Queue.Path, Is.EqualTo("/q"));
    }

    [Test]
    public void An_unknown_key_in_the_environment_is_an_error_too()
    {
        using var dir = new TempDir();
        SetEnv("SLUICE__session__timeoutt", "5m");
        var (_, errors, _) = ConfigHelper.Read(dir, "");
        Assert.That(errors.Select(e => e.ToString()), Is.EqualTo(new[] { "environment:0: session.timeoutt: unknown key" }));
    }

    [Test]
    public void Command_line_values_are_checked_like_the_file()
    {
        using var dir = new TempDir();
        var (_, errors, _) = ConfigHelper.Read(dir, "", "--server:max-connections=lots");
        Assert.That(errors.Select(e => e.ToString()), Is.EqualTo(new[] { "command-line:0: server.max-connections: expected an integer, found a string" }));
    }
}
