using System.Net;
using Sluice.Configuration;
using Sluice.Configuration.Layers;
using Sluice.Configuration.Settings;
using Sluice.Server;
using Sluice.Tests.Support;

namespace Sluice.Tests.Rules;

/// <summary>
/// Compiles rules written in TOML through the server's real configuration layers (file, environment,
/// command line) and the real typed readers, under a <c>[t]</c> section so that every value type can
/// be tried; <c>[directory.*]</c> sections in the same text are read first, as the server does.
/// </summary>
internal sealed class RuleHarness : IDisposable
{
    private readonly TempDir _dir = new();

    public string Path { get; private set; } = string.Empty;

    public List<ConfigError> Errors { get; } = [];

    /// <summary>The section <paramref name="sectionPath"/> (dotted) of <paramref name="toml"/>.</summary>
    public ConfigSection Section(string toml, string sectionPath = "t")
    {
        Path = _dir.File("rules.toml", toml);
        var configuration = SluiceServerApp.BuildConfiguration(ServerCommandLine.Parse(["--config", Path]));
        var layers = configuration.Providers.Reverse().Select(ConfigLayer.For).ToList();
        Errors.AddRange(layers.OfType<TomlLayer>().SelectMany(l => l.Errors));
        var root = new ConfigSection(layers, [], Errors);
        root.Directories = DirectorySettingsReader.Read(root.Section("directory"));
        var section = root;
        foreach (var part in sectionPath.Split('.'))
        {
            section = section.Section(part);
        }
        return section;
    }

    public Rule<bool> Bool(string toml, string key = "r") => Section(toml).BoolRule(key, false);

    public Rule<string> String(string toml, string key = "r") => Section(toml).StringRule(key, "fallback");

    public Rule<int> Int(string toml, string key = "r") => Section(toml).IntRule(key, -1);

    /// <summary>A rule that must compile without errors.</summary>
    public Rule<string> ValidString(string toml, string key = "r")
    {
        var rule = String(toml, key);
        Assert.That(Errors.Select(e => e.ToString()), Is.Empty);
        return rule;
    }

    public Rule<bool> ValidBool(string toml, string key = "r")
    {
        var rule = Bool(toml, key);
        Assert.That(Errors.Select(e => e.ToString()), Is.Empty);
        return rule;
    }

    /// <summary>The errors as <c>--check</c> prints them, with the file name replaced by <c>FILE</c>.</summary>
    public IEnumerable<string> Messages => Errors.Select(e => e.ToString().Replace(Path, "FILE", StringComparison.Ordinal));

    public void Dispose() => _dir.Dispose();

    /// <summary>A session midway through RCPT: every variable known.</summary>
    public static RuleContext FullContext() => new()
    {
        RemoteIp = IPAddress.Parse("192.168.1.10"),
        RemotePort = 40000,
        LocalIp = IPAddress.Parse("2001:db8::25"),
        LocalPort = 25,
        Listener = "mx",
        HeloDomain = "Mail.Example.NET",
        Sender = "Jane.Doe@Example.ORG",
        Recipient = "bob@example.com",
        AuthenticatedAs = "jane",
        Priority = 3,
        IsTls = true,
    };
}
