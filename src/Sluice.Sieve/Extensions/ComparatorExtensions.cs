using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;

namespace Sluice.Sieve.Extensions;

/// <summary>The comparators a script must require by name (RFC 4790, RFC 5051).</summary>
internal static class ComparatorExtensions
{
    internal sealed class AsciiNumeric : SieveExtension
    {
        public override string Name => "comparator-i;ascii-numeric";

        public override void Register(ExtensionRegistry registry) => registry.AddComparator(AsciiNumericComparator.Instance);
    }

    internal sealed class UnicodeCasemap : SieveExtension
    {
        public override string Name => "comparator-i;unicode-casemap";

        public override void Register(ExtensionRegistry registry) => registry.AddComparator(UnicodeCasemapComparator.Instance);
    }
}
