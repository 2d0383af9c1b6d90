using System.Net;

namespace Sluice.Directories;

/// <summary>A lookup list held in memory: a case-insensitive set of strings and a list of networks.</summary>
public sealed class MemoryLookupList : ILookupList
{
    private readonly HashSet<string> _values;
    private readonly IPNetwork[] _networks;

    /// <param name="name">The list's name.</param>
    /// <param name="values">Every entry as written (also the addresses and CIDRs, so that a string variable can match them).</param>
    /// <param name="networks">The entries that are addresses (as /32 or /128) or CIDR networks.</param>
    public MemoryLookupList(string name, IEnumerable<string> values, IEnumerable<IPNetwork> networks)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
        _values = new HashSet<string>(values, StringComparer.OrdinalIgnoreCase);
        _networks = [.. networks];
    }

    public string Name { get; }

    public int Count => _values.Count;

    public bool Contains(string value) => value is not null && _values.Contains(value);

    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }
        return false;
    }

    public override string ToString() => Name;
}
