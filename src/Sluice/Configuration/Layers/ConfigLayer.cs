using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Sluice.Configuration.Toml;

namespace Sluice.Configuration.Layers;

/// <summary>
/// One layer of the configuration (a TOML file, the environment, the command line...), asked for
/// whole values. IConfiguration merges layers key by key; Sluice instead takes each setting's whole
/// value from the highest layer that sets it, so an environment variable replaces a rule array.
/// </summary>
internal abstract class ConfigLayer
{
    public abstract bool Has(IReadOnlyList<string> path);

    public abstract IEnumerable<string> ChildKeys(IReadOnlyList<string> path);

    public abstract ConfigNode? Node(IReadOnlyList<string> path);

    public static ConfigLayer For(IConfigurationProvider provider) => provider switch
    {
        TomlConfigurationProvider toml => new TomlLayer(toml),
        EnvironmentVariablesConfigurationProvider => new ProviderLayer(provider, "environment"),
        CommandLineConfigurationProvider => new ProviderLayer(provider, "command-line"),
        _ => new ProviderLayer(provider, provider.ToString() ?? "configuration"),
    };
}

/// <summary>A TOML file: the typed tree, with lines.</summary>
internal sealed class TomlLayer(TomlConfigurationProvider provider) : ConfigLayer
{
    public IReadOnlyList<ConfigError> Errors => provider.Errors;

    public override bool Has(IReadOnlyList<string> path) => Node(path) is not null;

    public override IEnumerable<string> ChildKeys(IReadOnlyList<string> path) => Node(path) switch
    {
        { Members: { } members } => members.Keys,
        { Items: { } items } => Enumerable.Range(0, items.Count).Select(i => i.ToString(CultureInfo.InvariantCulture)),
        _ => [],
    };

    public override ConfigNode? Node(IReadOnlyList<string> path)
    {
        var node = provider.Root;
        foreach (var key in path)
        {
            if (node.Members is { } members)
            {
                if (!members.TryGetValue(key, out node))
                {
                    return null;
                }
            }
            else if (node.Items is { } items && int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < items.Count)
            {
                node = items[index];
            }
            else
            {
                return null;
            }
        }
        return node;
    }
}

/// <summary>
/// Any other provider: string leaves. A leaf that reads as a TOML value (<c>true</c>, <c>25</c>,
/// <c>["a","b"]</c>, an inline rule array) takes that type; anything else is a string. Children with
/// numeric keys (<c>key:0</c>, <c>key:1</c>) form an array.
/// </summary>
internal sealed class ProviderLayer(IConfigurationProvider provider, string origin) : ConfigLayer
{
    private readonly ConfigSource _source = new(origin, 0);

    public override bool Has(IReadOnlyList<string> path)
    {
        var key = ConfigurationPath.Combine(path);
        return provider.TryGet(key, out _) || provider.GetChildKeys([], key).Any();
    }

    public override IEnumerable<string> ChildKeys(IReadOnlyList<string> path) =>
        provider.GetChildKeys([], ConfigurationPath.Combine(path)).Distinct(StringComparer.OrdinalIgnoreCase);

    public override ConfigNode? Node(IReadOnlyList<string> path)
    {
        var key = ConfigurationPath.Combine(path);
        if (provider.TryGet(key, out var value) && value is not null)
        {
            return TomlDocumentReader.TryReadValue(value, _source) ?? ConfigNode.String(value, _source);
        }

        var children = ChildKeys(path).ToList();
        if (children.Count == 0)
        {
            return null;
        }

        var childPath = new List<string>(path) { string.Empty };
        if (children.All(c => int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            var array = ConfigNode.Array(_source);
            foreach (var index in children.Select(c => int.Parse(c, CultureInfo.InvariantCulture)).Order())
            {
                childPath[^1] = index.ToString(CultureInfo.InvariantCulture);
                if (Node(childPath) is { } item)
                {
                    array.Items!.Add(item);
                }
            }
            return array;
        }

        var table = ConfigNode.Table(_source);
        foreach (var child in children)
        {
            childPath[^1] = child;
            if (Node(childPath) is { } member)
            {
                table.Members![child] = member;
            }
        }
        return table;
    }
}
