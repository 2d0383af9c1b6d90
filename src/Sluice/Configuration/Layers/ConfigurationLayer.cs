using Microsoft.Extensions.Configuration;
using Sluice.Configuration.Toml;

namespace Sluice.Configuration.Layers;

/// <summary>A plain <see cref="IConfiguration"/> that is not a root (no providers to tell apart): one layer.</summary>
internal sealed class ConfigurationLayer(IConfiguration configuration) : ConfigLayer
{
    private readonly ProviderLayer _inner = new(new SectionProvider(configuration), "configuration");

    public override bool Has(IReadOnlyList<string> path) => _inner.Has(path);

    public override IEnumerable<string> ChildKeys(IReadOnlyList<string> path) => _inner.ChildKeys(path);

    public override ConfigNode? Node(IReadOnlyList<string> path) => _inner.Node(path);

    /// <summary>Adapts an IConfiguration to the provider calls the layer makes.</summary>
    private sealed class SectionProvider(IConfiguration configuration) : ConfigurationProvider
    {
        public override bool TryGet(string key, out string? value)
        {
            value = configuration[key];
            return value is not null;
        }

        public override IEnumerable<string> GetChildKeys(IEnumerable<string> earlierKeys, string? parentPath)
        {
            var section = parentPath is null ? configuration : configuration.GetSection(parentPath);
            return earlierKeys.Concat(section.GetChildren().Select(c => c.Key));
        }
    }
}
