using System.Diagnostics.CodeAnalysis;

namespace Sluice.Directories;

/// <summary>
/// A directory (SPEC §2.7): what a mail server needs to know about its users — local domains,
/// mailboxes, mailing lists, credentials — and named lookup lists that rules test with
/// <c>in-list</c>. <see cref="MemoryDirectory"/> keeps everything from the configuration in memory;
/// SQL or LDAP directories implement the same interface, which is why user questions are
/// asynchronous. Lookup lists are synchronous because rules are evaluated synchronously on the
/// session's hot path: a remote directory answers them from a cache it keeps.
/// Addresses, domains and names compare ignoring case.
/// </summary>
public interface IDirectory
{
    /// <summary>The <c>&lt;id&gt;</c> of <c>[directory.&lt;id&gt;]</c>.</summary>
    string Id { get; }

    /// <summary>The names of the lookup lists, for error messages.</summary>
    IReadOnlyCollection<string> LookupNames { get; }

    /// <summary>True when <paramref name="domain"/> is one of the local domains.</summary>
    ValueTask<bool> IsLocalDomainAsync(string domain, CancellationToken cancellationToken = default);

    /// <summary>
    /// True when <paramref name="address"/> receives mail here: some user's <c>email</c> or
    /// <c>email-list</c> (RCPT TO in a local domain; otherwise 550 5.1.2).
    /// </summary>
    ValueTask<bool> IsLocalAddressAsync(string address, CancellationToken cancellationToken = default);

    /// <summary>The user whose <c>email</c> includes <paramref name="address"/> (RCPT, VRFY); null when none.</summary>
    ValueTask<DirectoryUser?> FindByAddressAsync(string address, CancellationToken cancellationToken = default);

    /// <summary>The members of mailing list <paramref name="listAddress"/>: the users whose <c>email-list</c> has it (EXPN); empty when it is not a list.</summary>
    ValueTask<IReadOnlyList<DirectoryUser>> ExpandAsync(string listAddress, CancellationToken cancellationToken = default);

    /// <summary>The user with login <paramref name="name"/> (AUTH); null when none.</summary>
    ValueTask<DirectoryUser?> FindByNameAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The lookup list <paramref name="name"/> of <c>[directory.&lt;id&gt;.lookup]</c>.</summary>
    bool TryGetLookup(string name, [NotNullWhen(true)] out ILookupList? list);
}

/// <summary>
/// A named list of strings and IP networks that rules test with <c>in-list</c>. Membership must be
/// answered from memory without allocating: it runs inside rule evaluation.
/// </summary>
public interface ILookupList
{
    string Name { get; }

    /// <summary>True when the list holds <paramref name="value"/> (ignoring case).</summary>
    bool Contains(string value);

    /// <summary>True when <paramref name="address"/> is one of the list's addresses or inside one of its CIDR networks.</summary>
    bool Contains(System.Net.IPAddress address);
}
