namespace Sluice.Sieve.Runtime;

/// <summary>A parsed address: local part and domain (empty for a bare local part).</summary>
internal readonly record struct MailAddress
{
    public MailAddress(string localPart, string domain)
    {
        LocalPart = localPart;
        Domain = domain;
        // Built once: the address test reads it run after run from the parse cache.
        Full = domain.Length == 0 ? localPart : localPart + "@" + domain;
    }

    public string LocalPart { get; }

    public string Domain { get; }

    public string Full { get; }
}

/// <summary>An address part (RFC 5228 §2.7.4, RFC 5233): which piece of an address a test looks at.</summary>
internal abstract class AddressPart
{
    public abstract string Name { get; }

    public virtual string? Capability => null;

    /// <summary>The piece, or null when the address has none (":detail" without a separator).</summary>
    public abstract string? Extract(MailAddress address, RunState state);
}

internal sealed class AllAddressPart : AddressPart
{
    public static readonly AllAddressPart Instance = new();

    public override string Name => "all";

    public override string? Extract(MailAddress address, RunState state) => address.Full;
}

internal sealed class LocalPartAddressPart : AddressPart
{
    public override string Name => "localpart";

    public override string? Extract(MailAddress address, RunState state) => address.LocalPart;
}

internal sealed class DomainAddressPart : AddressPart
{
    public override string Name => "domain";

    public override string? Extract(MailAddress address, RunState state) => address.Domain;
}
