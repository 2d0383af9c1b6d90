using Sluice.Server;

namespace Sluice.Tests.Configuration;

/// <summary>Sluice's own flags are taken out before ASP.NET sees the command line (TRAPS.md).</summary>
public class ServerCommandLineTests
{
    [Test]
    public void Check_and_config_are_flags_not_configuration_keys()
    {
        var parsed = ServerCommandLine.Parse(["--check", "--config", "x.toml", "--session:timeout=30s", "--queue:path", "/q"]);
        Assert.That(parsed.Error, Is.Null);
        Assert.That(parsed.Verb, Is.EqualTo(ServerVerb.Check));
        Assert.That(parsed.ConfigPath, Is.EqualTo("x.toml"));
        Assert.That(parsed.Overrides, Is.EqualTo(new[] { "--session:timeout=30s", "--queue:path=/q" }));
    }

    [TestCase("--config")]
    [TestCase("stray")]
    [TestCase("--verbose")]
    [TestCase("--queue:path")]
    public void Bad_arguments_are_usage_errors(string arg) =>
        Assert.That(ServerCommandLine.Parse([arg]).Error, Is.Not.Null);
}
