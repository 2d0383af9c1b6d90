using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Sluice.Configuration;
using Sluice.Configuration.Settings;
using Sluice.Configuration.Toml;
using Sluice.Hosting;

namespace Sluice.Server;

/// <summary>Builds the Sluice server: its configuration layers and the WebApplication that hosts it.</summary>
public static class SluiceServerApp
{
    /// <summary>Environment variables that configure Sluice start with this (ASP.NET's <c>__</c> separator).</summary>
    public const string EnvironmentPrefix = "SLUICE__";

    /// <summary>
    /// The configuration layers of SPEC §1, lowest first: built-in defaults (in code), the TOML file,
    /// <c>SLUICE__</c> environment variables, then <c>--section:key=value</c> arguments.
    /// </summary>
    public static IConfigurationRoot BuildConfiguration(ServerCommandLine commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var builder = new ConfigurationBuilder();
        AddLayers(builder, commandLine);
        return builder.Build();
    }

    /// <summary>The TOML file this command line reads: the named one, or <c>./appsettings.toml</c> when it exists.</summary>
    public static string? ConfigFile(ServerCommandLine commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        return commandLine.ConfigPath
            ?? (File.Exists(ServerCommandLine.DefaultConfigFile) ? ServerCommandLine.DefaultConfigFile : null);
    }

    /// <summary>Builds the web application with Sluice's listeners and endpoints; throws on configuration errors.</summary>
    public static WebApplication Build(ServerCommandLine commandLine, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });

        // Only Sluice's layers: not appsettings.json, not every environment variable.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
        });
        AddLayers(builder.Configuration, commandLine);

        var settings = SluiceSettingsReader.ReadOrThrow(builder.Configuration);
        builder.Services.AddSluice(settings);
        OtlpExport.AddIfConfigured(builder.Services, builder.Configuration);
        if (ConfigFile(commandLine) is { } configFile)
        {
            builder.Services.AddSluiceReload(configFile, () => BuildConfiguration(commandLine));
        }
        builder.WebHost.UseSluiceListeners();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapSluiceHealth();
        return app;
    }

    private static void AddLayers(IConfigurationBuilder builder, ServerCommandLine commandLine)
    {
        if (ConfigFile(commandLine) is { } file)
        {
            builder.AddTomlFile(file);
        }
        builder.AddEnvironmentVariables(EnvironmentPrefix);
        builder.AddCommandLine([.. commandLine.Overrides]);
    }

    /// <summary>Validates the configuration: the errors, each as <c>FILE:LINE: KEY: message</c>.</summary>
    public static IReadOnlyList<ConfigError> Check(ServerCommandLine commandLine) =>
        SluiceSettingsReader.Read(BuildConfiguration(commandLine)).Errors;
}
