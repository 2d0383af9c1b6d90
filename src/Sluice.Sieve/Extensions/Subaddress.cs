using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;

namespace Sluice.Sieve.Extensions;

/// <summary>
/// subaddress (RFC 5233): :user and :detail split the local part at the first recipient delimiter
/// (any one of the run's delimiter characters, "+" by default).
/// </summary>
internal sealed class Subaddress : SieveExtension
{
    public override string Name => "subaddress";

    public override void Register(ExtensionRegistry registry)
    {
        registry.AddAddressPart(new UserPart());
        registry.AddAddressPart(new DetailPart());
    }

    private static int Split(string local, RunState state) =>
        state.RecipientDelimiters.Length == 0 ? -1 : local.IndexOfAny(state.RecipientDelimiters.ToCharArray());

    private sealed class UserPart : AddressPart
    {
        public override string Name => "user";

        public override string? Capability => "subaddress";

        public override string? Extract(MailAddress address, RunState state)
        {
            int at = Split(address.LocalPart, state);
            return at < 0 ? address.LocalPart : address.LocalPart[..at];
        }
    }

    private sealed class DetailPart : AddressPart
    {
        public override string Name => "detail";

        public override string? Capability => "subaddress";

        // Without a delimiter there is no detail: nothing to match (RFC 5233 §4).
        public override string? Extract(MailAddress address, RunState state)
        {
            int at = Split(address.LocalPart, state);
            return at < 0 ? null : address.LocalPart[(at + 1)..];
        }
    }
}
