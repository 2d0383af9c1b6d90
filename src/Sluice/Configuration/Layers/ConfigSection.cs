using Sluice.Configuration.Toml;
using Sluice.Directories;

namespace Sluice.Configuration.Layers;

/// <summary>
/// A read view of one table of the layered configuration. Each setting is taken whole from the
/// highest layer that sets it; keys that nobody asked for are reported as unknown.
/// </summary>
internal sealed class ConfigSection
{
    private readonly IReadOnlyList<ConfigLayer> _layers; // highest priority first
    private readonly string[] _path;
    private readonly HashSet<string> _asked = new(StringComparer.OrdinalIgnoreCase);
    private readonly SharedState _shared;

    public ConfigSection(IReadOnlyList<ConfigLayer> layers, string[] path, List<ConfigError> errors)
        : this(layers, path, errors, new SharedState())
    {
    }

    private ConfigSection(IReadOnlyList<ConfigLayer> layers, string[] path, List<ConfigError> errors, SharedState shared)
    {
        _layers = layers;
        _path = path;
        Errors = errors;
        _shared = shared;
    }

    public List<ConfigError> Errors { get; }

    /// <summary>The directories rules may name in <c>in-list</c>; shared by every section of one read, set once <c>[directory]</c> is read.</summary>
    public DirectoryRegistry Directories
    {
        get => _shared.Directories;
        set => _shared.Directories = value;
    }

    /// <summary>The dotted TOML name of this section, e.g. <c>session.rcpt</c>.</summary>
    public string Name => string.Join('.', _path);

    public bool Exists => _layers.Any(l => l.Has(_path));

    public string KeyName(string key) => _path.Length == 0 ? key : Name + "." + key;

    /// <summary>The whole value of <paramref name="key"/> from the highest layer that has it; null when unset.</summary>
    public ConfigNode? Value(string key)
    {
        var path = Resolve(key);
        foreach (var layer in _layers)
        {
            if (layer.Has(path))
            {
                return layer.Node(path);
            }
        }
        return null;
    }

    public ConfigSection Section(string key) => new(_layers, Resolve(key), Errors, _shared);

    /// <summary>The keys below this section, from every layer (for maps such as listener ids).</summary>
    public IReadOnlyList<string> Keys() =>
        _layers.SelectMany(l => l.ChildKeys(_path)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    public void Error(ConfigNode? node, string key, string message) =>
        Errors.Add(new ConfigError(node?.Source ?? SourceOf(_path), KeyName(key), message));

    /// <summary>Reports every key present in this section that the reader never asked for.</summary>
    public void ReportUnknown()
    {
        foreach (var key in Keys())
        {
            if (!_asked.Contains(key))
            {
                var path = _path.Append(key).ToArray();
                Errors.Add(new ConfigError(SourceOf(path), KeyName(key), "unknown key"));
            }
        }
    }

    /// <summary>Marks a key as known and returns its path. Environment variables cannot hold '-', so '_' matches it.</summary>
    private string[] Resolve(string key)
    {
        _asked.Add(key);
        var path = _path.Append(key).ToArray();
        if (key.Contains('-', StringComparison.Ordinal) && !_layers.Any(l => l.Has(path)))
        {
            var underscored = key.Replace('-', '_');
            var alternative = _path.Append(underscored).ToArray();
            if (_layers.Any(l => l.Has(alternative)))
            {
                _asked.Add(underscored);
                return alternative;
            }
        }
        return path;
    }

    private ConfigSource SourceOf(string[] path)
    {
        foreach (var layer in _layers)
        {
            if (layer.Has(path) && layer.Node(path) is { } node)
            {
                return node.Source;
            }
        }
        return new ConfigSource("configuration", 0);
    }

    private sealed class SharedState
    {
        public DirectoryRegistry Directories { get; set; } = Sluice.Directories.DirectoryRegistry.Empty;
    }
}
