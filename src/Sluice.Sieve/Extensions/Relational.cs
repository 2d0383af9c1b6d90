using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;

namespace Sluice.Sieve.Extensions;

/// <summary>relational (RFC 5231): the :count and :value match types.</summary>
internal sealed class Relational : SieveExtension
{
    public override string Name => "relational";

    public override void Register(ExtensionRegistry registry)
    {
        registry.AddMatchType(new ValueMatchType());
        registry.AddMatchType(new CountMatchType());
    }
}
