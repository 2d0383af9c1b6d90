using System.Net;
using Sluice.Configuration.Rules;
using Sluice.Configuration.Toml;
using Sluice.Configuration.Values;

namespace Sluice.Configuration.Layers;

/// <summary>Typed reads of one key of a <see cref="ConfigSection"/>; a wrong type or bad value is an error, never a conversion.</summary>
internal static class SectionValues
{
    public static bool Bool(this ConfigSection section, string key, bool fallback)
    {
        var node = section.Value(key);
        if (node is null)
        {
            return fallback;
        }
        if (node.Kind == ConfigNodeKind.Boolean)
        {
            return (bool)node.Scalar!;
        }
        section.Error(node, key, $"expected a boolean, found {node.TypeName}");
        return fallback;
    }

    public static long Integer(this ConfigSection section, string key, long fallback, long min = long.MinValue, long max = long.MaxValue)
    {
        var node = section.Value(key);
        return node is null ? fallback : IntegerOf(section, key, node, fallback, min, max);
    }

    public static string String(this ConfigSection section, string key, string fallback) =>
        section.OptionalString(key) ?? fallback;

    public static string? OptionalString(this ConfigSection section, string key, bool allowFile = false)
    {
        var node = section.Value(key);
        if (node is null)
        {
            return null;
        }
        if (node.Kind != ConfigNodeKind.String)
        {
            section.Error(node, key, $"expected a string, found {node.TypeName}");
            return null;
        }
        var text = (string)node.Scalar!;
        return allowFile ? FileOrText(section, key, node, text) : text;
    }

    /// <summary>A string that may be <c>file://PATH</c>: its text, and the full path of the file it came from (null for inline text).</summary>
    public static string? FileBackedString(this ConfigSection section, string key, out string? path)
    {
        path = null;
        var text = section.OptionalString(key, allowFile: true);
        if (text is not null && section.Value(key) is { Kind: ConfigNodeKind.String, Scalar: string raw } node
            && raw.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            var relative = raw["file://".Length..];
            path = Path.IsPathRooted(relative) ? relative : Path.Combine(node.Source.BaseDirectory, relative);
        }
        return text;
    }

    public static TimeSpan Duration(this ConfigSection section, string key, TimeSpan fallback)
    {
        var node = section.Value(key);
        return node is null ? fallback : DurationOf(section, key, node, fallback);
    }

    public static long Size(this ConfigSection section, string key, long fallback)
    {
        var node = section.Value(key);
        return node is null ? fallback : SizeOf(section, key, node, fallback);
    }

    public static IReadOnlyList<string> StringArray(this ConfigSection section, string key, IReadOnlyList<string> fallback, bool allowSingle = false)
    {
        var node = section.Value(key);
        if (node is null)
        {
            return fallback;
        }
        if (allowSingle && node.Kind == ConfigNodeKind.String)
        {
            return [(string)node.Scalar!];
        }
        if (node.Kind != ConfigNodeKind.Array)
        {
            section.Error(node, key, $"expected an array of strings, found {node.TypeName}");
            return fallback;
        }
        var result = new List<string>();
        foreach (var item in node.Items!)
        {
            if (item.Kind != ConfigNodeKind.String)
            {
                section.Error(item, key, $"expected an array of strings, found an element that is {item.TypeName}");
                return fallback;
            }
            result.Add((string)item.Scalar!);
        }
        return result;
    }

    public static IReadOnlyList<IPNetwork> Networks(this ConfigSection section, string key)
    {
        var result = new List<IPNetwork>();
        var node = section.Value(key);
        foreach (var text in section.StringArray(key, []))
        {
            if (IPNetwork.TryParse(text, out var network))
            {
                result.Add(network);
            }
            else if (IPAddress.TryParse(text, out var address))
            {
                result.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                section.Error(node, key, $"'{text}' is not a CIDR network (e.g. \"10.0.0.0/8\") or an IP address");
            }
        }
        return result;
    }

    /// <summary>
    /// A setting SPEC marks <em>rule</em> (§2.2): a plain value read by <paramref name="read"/>, or an
    /// array of condition blocks compiled by <see cref="RuleCompiler"/>, whose <c>then</c>/<c>else</c>
    /// values are read by the same <paramref name="read"/>. <paramref name="fromText"/> makes a
    /// <c>then</c> string with <c>${n}</c> into a value after substitution (by default: for settings
    /// whose values are strings).
    /// </summary>
    public static Rule<T> Rule<T>(this ConfigSection section, string key, T fallback, Func<ConfigSection, string, ConfigNode, T, T> read, Func<string, T>? fromText = null)
    {
        var node = section.Value(key);
        if (node is null)
        {
            return Configuration.Rule<T>.Constant(fallback);
        }
        if (RuleCompiler.IsRule(node))
        {
            return new RuleCompiler(section, section.Directories).Compile(key, node, fallback, read, fromText ?? RuleCompiler.TextConversion<T>());
        }
        return Configuration.Rule<T>.Constant(read(section, key, node, fallback));
    }

    /// <summary>A single condition block (a throttle's <c>match</c>); null when unset or invalid (the error is reported).</summary>
    public static RuleCondition? Condition(this ConfigSection section, string key)
    {
        var node = section.Value(key);
        return node is null ? null : new RuleCompiler(section, section.Directories).CompileCondition(key, node);
    }

    public static Rule<TimeSpan> DurationRule(this ConfigSection section, string key, TimeSpan fallback) =>
        section.Rule(key, fallback, DurationOf);

    public static Rule<long> SizeRule(this ConfigSection section, string key, long fallback) =>
        section.Rule(key, fallback, SizeOf);

    public static Rule<int> IntRule(this ConfigSection section, string key, int fallback, int min = 0, int max = int.MaxValue) =>
        section.Rule(key, fallback, (s, k, n, f) => (int)IntegerOf(s, k, n, f, min, max));

    public static Rule<bool> BoolRule(this ConfigSection section, string key, bool fallback) =>
        section.Rule(key, fallback, (s, k, n, f) =>
        {
            if (n.Kind == ConfigNodeKind.Boolean)
            {
                return (bool)n.Scalar!;
            }
            s.Error(n, k, $"expected a boolean, found {n.TypeName}");
            return f;
        });

    public static Rule<string> StringRule(this ConfigSection section, string key, string fallback) =>
        section.Rule(key, fallback, (s, k, n, f) =>
        {
            if (n.Kind == ConfigNodeKind.String)
            {
                return (string)n.Scalar!;
            }
            s.Error(n, k, $"expected a string, found {n.TypeName}");
            return f;
        });

    private static long IntegerOf(ConfigSection section, string key, ConfigNode node, long fallback, long min, long max)
    {
        if (node.Kind != ConfigNodeKind.Integer)
        {
            section.Error(node, key, $"expected an integer, found {node.TypeName}");
            return fallback;
        }
        var value = (long)node.Scalar!;
        if (value < min || value > max)
        {
            section.Error(node, key, max == long.MaxValue || max == int.MaxValue
                ? $"must be at least {min}, found {value}"
                : $"must be between {min} and {max}, found {value}");
            return fallback;
        }
        return value;
    }

    private static TimeSpan DurationOf(ConfigSection section, string key, ConfigNode node, TimeSpan fallback)
    {
        TimeSpan value;
        if (node.Kind == ConfigNodeKind.Integer)
        {
            value = TimeSpan.FromMilliseconds((long)node.Scalar!);
        }
        else if (node.Kind == ConfigNodeKind.String && DurationValue.TryParse((string)node.Scalar!, out var parsed))
        {
            value = parsed;
        }
        else
        {
            section.Error(node, key, node.Kind == ConfigNodeKind.String
                ? $"'{node.Scalar}' is not a duration (e.g. \"500ms\", \"30s\", \"5m\", \"1h\", \"1d\")"
                : $"expected a duration (a string such as \"30s\" or an integer of milliseconds), found {node.TypeName}");
            return fallback;
        }
        if (value <= TimeSpan.Zero)
        {
            section.Error(node, key, "must be greater than zero");
            return fallback;
        }
        return value;
    }

    private static long SizeOf(ConfigSection section, string key, ConfigNode node, long fallback)
    {
        if (node.Kind == ConfigNodeKind.Integer && (long)node.Scalar! >= 0)
        {
            return (long)node.Scalar!;
        }
        if (node.Kind == ConfigNodeKind.String && ByteSize.TryParse((string)node.Scalar!, out var bytes))
        {
            return bytes;
        }
        section.Error(node, key, node.Kind is ConfigNodeKind.String or ConfigNodeKind.Integer
            ? $"'{node.Scalar}' is not a size (bytes, or e.g. \"10kb\", \"25mb\", \"1gb\")"
            : $"expected a size (an integer of bytes or a string such as \"25mb\"), found {node.TypeName}");
        return fallback;
    }

    /// <summary><c>file://PATH</c> in place of a string reads that file (relative to the configuration file).</summary>
    private static string? FileOrText(ConfigSection section, string key, ConfigNode node, string text)
    {
        if (!text.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            return text;
        }
        var path = text["file://".Length..];
        var full = Path.IsPathRooted(path) ? path : Path.Combine(node.Source.BaseDirectory, path);
        try
        {
            return File.ReadAllText(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            section.Error(node, key, $"cannot read {text}: {ex.Message}");
            return null;
        }
    }
}
