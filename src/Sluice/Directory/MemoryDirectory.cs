using System.Diagnostics.CodeAnalysis;

namespace Sluice.Directories;

/// <summary>
/// <c>type = "memory"</c> (SPEC §2.7): domains, users and lookup lists from the configuration,
/// indexed at start-up; every question is a dictionary look-up answered synchronously.
/// </summary>
public sealed class MemoryDirectory : IDirectory
{
    private readonly HashSet<string> _domains;
    private readonly Dictionary<string, DirectoryUser> _byAddress = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, DirectoryUser> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<DirectoryUser>> _lists = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ILookupList> _lookups = new(StringComparer.OrdinalIgnoreCase);

    /// <exception cref="ArgumentException">Two users share a name, or an <c>email</c> belongs to two users.</exception>
    public MemoryDirectory(string id, IEnumerable<string> domains, IEnumerable<DirectoryUser> users, IEnumerable<ILookupList> lookups)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(domains);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(lookups);
        Id = id;
        _domains = new HashSet<string>(domains, StringComparer.OrdinalIgnoreCase);
        foreach (var user in users)
        {
            if (!_byName.TryAdd(user.Name, user))
            {
                throw new ArgumentException($"two users are named '{user.Name}'", nameof(users));
            }
            foreach (var email in user.Emails)
            {
                if (!_byAddress.TryAdd(email, user) && !ReferenceEquals(_byAddress[email], user))
                {
                    throw new ArgumentException($"'{email}' is the email of both '{_byAddress[email].Name}' and '{user.Name}'", nameof(users));
                }
            }
            foreach (var list in user.EmailLists)
            {
                if (!_lists.TryGetValue(list, out var members))
                {
                    members = [];
                    _lists[list] = members;
                }
                if (!members.Contains(user))
                {
                    members.Add(user);
                }
            }
        }
        foreach (var lookup in lookups)
        {
            _lookups[lookup.Name] = lookup;
        }
    }

    public string Id { get; }

    public IReadOnlyCollection<string> Domains => _domains;

    public IReadOnlyCollection<DirectoryUser> Users => _byName.Values;

    public IReadOnlyCollection<string> LookupNames => _lookups.Keys;

    public ValueTask<bool> IsLocalDomainAsync(string domain, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(domain is not null && _domains.Contains(domain));

    public ValueTask<bool> IsLocalAddressAsync(string address, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(address is not null && (_byAddress.ContainsKey(address) || _lists.ContainsKey(address)));

    public ValueTask<DirectoryUser?> FindByAddressAsync(string address, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(address is not null && _byAddress.TryGetValue(address, out var user) ? user : null);

    public ValueTask<IReadOnlyList<DirectoryUser>> ExpandAsync(string listAddress, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<DirectoryUser>>(listAddress is not null && _lists.TryGetValue(listAddress, out var members) ? members.AsReadOnly() : []);

    public ValueTask<DirectoryUser?> FindByNameAsync(string name, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(name is not null && _byName.TryGetValue(name, out var user) ? user : null);

    public bool TryGetLookup(string name, [NotNullWhen(true)] out ILookupList? list) => _lookups.TryGetValue(name, out list);

    public override string ToString() => $"directory {Id} (memory)";
}
