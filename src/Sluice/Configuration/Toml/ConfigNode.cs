using System.Globalization;

namespace Sluice.Configuration.Toml;

/// <summary>The kinds of value a configuration key can hold; TOML's own types.</summary>
public enum ConfigNodeKind
{
    String,
    Integer,
    Float,
    Boolean,
    DateTime,
    Array,
    Table,
}

/// <summary>Where a configuration value came from, for error messages (<c>FILE:LINE</c>).</summary>
/// <param name="Origin">A file path, or a layer name such as <c>environment</c> or <c>command-line</c>.</param>
/// <param name="Line">1-based line in <paramref name="Origin"/>; 0 when the layer has no lines.</param>
public readonly record struct ConfigSource(string Origin, int Line)
{
    /// <summary>The directory relative <c>file://</c> paths resolve against.</summary>
    public string BaseDirectory =>
        Line > 0 && Path.GetDirectoryName(Path.GetFullPath(Origin)) is { } dir ? dir : Environment.CurrentDirectory;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Origin}:{Line}");
}

/// <summary>
/// A typed configuration value with its source. IConfiguration flattens everything to strings and
/// loses TOML types and line numbers; Sluice reads its settings from these nodes instead, so that a
/// wrong type is an error and every error names its line.
/// </summary>
public sealed class ConfigNode
{
    private ConfigNode(ConfigNodeKind kind, object? scalar, ConfigSource source)
    {
        Kind = kind;
        Scalar = scalar;
        Source = source;
        if (kind == ConfigNodeKind.Array)
        {
            Items = [];
        }
        else if (kind == ConfigNodeKind.Table)
        {
            Members = new Dictionary<string, ConfigNode>(StringComparer.OrdinalIgnoreCase);
        }
    }

    public ConfigNodeKind Kind { get; }

    /// <summary>The value of a scalar: string, long, double, bool or DateTimeOffset.</summary>
    public object? Scalar { get; }

    public ConfigSource Source { get; }

    /// <summary>The elements of an array, in order; null for other kinds.</summary>
    public List<ConfigNode>? Items { get; }

    /// <summary>The members of a table (case-insensitive, in file order); null for other kinds.</summary>
    public Dictionary<string, ConfigNode>? Members { get; }

    public static ConfigNode String(string value, ConfigSource source) => new(ConfigNodeKind.String, value, source);

    public static ConfigNode Integer(long value, ConfigSource source) => new(ConfigNodeKind.Integer, value, source);

    public static ConfigNode Float(double value, ConfigSource source) => new(ConfigNodeKind.Float, value, source);

    public static ConfigNode Boolean(bool value, ConfigSource source) => new(ConfigNodeKind.Boolean, value, source);

    public static ConfigNode DateTime(DateTimeOffset value, ConfigSource source) => new(ConfigNodeKind.DateTime, value, source);

    public static ConfigNode Array(ConfigSource source) => new(ConfigNodeKind.Array, null, source);

    public static ConfigNode Table(ConfigSource source) => new(ConfigNodeKind.Table, null, source);

    /// <summary>The TOML name of this node's type, for "expected X, found Y" messages.</summary>
    public string TypeName => Kind switch
    {
        ConfigNodeKind.String => "a string",
        ConfigNodeKind.Integer => "an integer",
        ConfigNodeKind.Float => "a float",
        ConfigNodeKind.Boolean => "a boolean",
        ConfigNodeKind.DateTime => "a date-time",
        ConfigNodeKind.Array => "an array",
        _ => "a table",
    };

    /// <summary>Flattens this node into IConfiguration's key/value form (arrays as <c>key:0</c>).</summary>
    public void Flatten(string prefix, IDictionary<string, string?> into)
    {
        switch (Kind)
        {
            case ConfigNodeKind.Table:
                foreach (var (key, child) in Members!)
                {
                    child.Flatten(prefix.Length == 0 ? key : prefix + ":" + key, into);
                }
                break;
            case ConfigNodeKind.Array:
                for (var i = 0; i < Items!.Count; i++)
                {
                    Items[i].Flatten(prefix + ":" + i.ToString(CultureInfo.InvariantCulture), into);
                }
                break;
            case ConfigNodeKind.Boolean:
                into[prefix] = (bool)Scalar! ? "true" : "false";
                break;
            case ConfigNodeKind.DateTime:
                into[prefix] = ((DateTimeOffset)Scalar!).ToString("O", CultureInfo.InvariantCulture);
                break;
            default:
                into[prefix] = Convert.ToString(Scalar, CultureInfo.InvariantCulture);
                break;
        }
    }
}
