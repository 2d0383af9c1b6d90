using Sluice.Sieve.Compiler;
using Sluice.Sieve.Extensions;

namespace Sluice.Sieve;

/// <summary>The extensions a compile may use. Immutable; build once and share.</summary>
public sealed class SieveExtensionSet
{
    private SieveExtensionSet(IReadOnlyList<SieveExtension> extensions)
    {
        Extensions = extensions;
        Registry = new ExtensionRegistry();
        foreach (SieveExtension extension in extensions)
        {
            Registry.Load(extension);
        }
    }

    internal IReadOnlyList<SieveExtension> Extensions { get; }

    internal ExtensionRegistry Registry { get; }

    /// <summary>The core language and every extension Sluice implements.</summary>
    public static SieveExtensionSet Default { get; } = new(BuiltInExtensions.All());

    /// <summary>The capability strings a script may require.</summary>
    public IEnumerable<string> Capabilities => Registry.Capabilities.Keys;

    /// <summary>A set with these extensions added (the testsuite adds its own).</summary>
    internal SieveExtensionSet With(params SieveExtension[] more) => new([.. Extensions, .. more]);

    /// <summary>A set without the named capabilities (a host can switch extensions off).</summary>
    public SieveExtensionSet Without(params string[] capabilities) =>
        new(Extensions.Where(e => !capabilities.Contains(e.Name, StringComparer.Ordinal)).ToList());
}
