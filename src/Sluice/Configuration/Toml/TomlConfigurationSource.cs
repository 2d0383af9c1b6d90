using Microsoft.Extensions.Configuration;

namespace Sluice.Configuration.Toml;

/// <summary>A TOML file as a configuration source (the <c>appsettings.toml</c> layer).</summary>
public sealed class TomlConfigurationSource : IConfigurationSource
{
    public required string Path { get; init; }

    /// <summary>When true, a missing file is an empty layer rather than an error.</summary>
    public bool Optional { get; init; }

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new TomlConfigurationProvider(this);
}

/// <summary>
/// Loads a TOML file. It fills IConfiguration's flat key/value data like any provider (so a host's
/// own code can bind from it), and also keeps the typed tree with line numbers, which Sluice's
/// settings reader uses for types and for <c>FILE:LINE</c> error messages.
/// </summary>
public sealed class TomlConfigurationProvider(TomlConfigurationSource source) : ConfigurationProvider
{
    private readonly List<ConfigError> _errors = [];

    public TomlConfigurationSource Source { get; } = source;

    /// <summary>The parsed document; an empty table when the file is missing or does not parse.</summary>
    public ConfigNode Root { get; private set; } = ConfigNode.Table(new ConfigSource(source.Path, 1));

    /// <summary>Syntax errors and file errors found by the last load.</summary>
    public IReadOnlyList<ConfigError> Errors => _errors;

    public override void Load()
    {
        _errors.Clear();
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        string text;
        try
        {
            text = File.ReadAllText(Source.Path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            if (!Source.Optional)
            {
                _errors.Add(new ConfigError(new ConfigSource(Source.Path, 0), "(file)", "configuration file not found"));
            }
            Root = ConfigNode.Table(new ConfigSource(Source.Path, 1));
            Data = data;
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _errors.Add(new ConfigError(new ConfigSource(Source.Path, 0), "(file)", "cannot read configuration file: " + ex.Message));
            Root = ConfigNode.Table(new ConfigSource(Source.Path, 1));
            Data = data;
            return;
        }

        Root = TomlDocumentReader.Read(text, Source.Path, _errors);
        Root.Flatten(string.Empty, data);
        Data = data;
    }

    public override string ToString() => $"TOML file {Source.Path}";
}

/// <summary>Extension methods to add TOML files to a configuration builder.</summary>
public static class TomlConfigurationExtensions
{
    public static IConfigurationBuilder AddTomlFile(this IConfigurationBuilder builder, string path, bool optional = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new TomlConfigurationSource { Path = path, Optional = optional });
    }
}
