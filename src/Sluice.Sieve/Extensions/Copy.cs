using Sluice.Sieve.Compiler;

namespace Sluice.Sieve.Extensions;

/// <summary>copy (RFC 3894): :copy on redirect and fileinto keeps the implicit keep.</summary>
internal sealed class Copy : SieveExtension
{
    public override string Name => "copy";

    public override void Register(ExtensionRegistry registry)
    {
        registry.AddTag("redirect", new TagDefinition("copy"));
        registry.AddTag("fileinto", new TagDefinition("copy"));
    }
}
