using Sluice.Configuration;
using Sluice.Configuration.Settings;
using Sluice.Server;
using Sluice.Tests.Support;

namespace Sluice.Tests.Configuration;

/// <summary>Reads settings from TOML text through the server's own configuration layers.</summary>
internal static class ConfigHelper
{
    public static (SluiceSettings Settings, IReadOnlyList<ConfigError> Errors, string Path) Read(TempDir dir, string toml, params string[] overrides)
    {
        var path = dir.File("sluice.toml", toml);
        var commandLine = ServerCommandLine.Parse(["--config", path, .. overrides]);
        var (settings, errors) = SluiceSettingsReader.Read(SluiceServerApp.BuildConfiguration(commandLine));
        return (settings, errors, path);
    }

    public static SluiceSettings ReadValid(TempDir dir, string toml, params string[] overrides)
    {
        var (settings, errors, _) = Read(dir, toml, overrides);
        Assert.That(errors, Is.Empty, string.Join("\n", errors));
        return settings;
    }
}
