using System.Globalization;
using System.Net;
using Sluice.Configuration.Layers;
using Sluice.Configuration.Rules;
using Sluice.Configuration.Toml;
using Sluice.Directories;

namespace Sluice.Configuration.Settings;

/// <summary>
/// Reads <c>[directory.&lt;id&gt;]</c> sections (SPEC §2.7). Each user table and lookup list is read
/// from the whole value of <c>users</c> / <c>lookup</c> as the highest layer gives it, with every
/// problem reported under its key path (<c>directory.local.users[1].email</c>). A directory with
/// errors is still registered with what was valid, so that rules naming it do not add follow-on errors.
/// </summary>
internal static class DirectorySettingsReader
{
    private static readonly string[] s_userKeys = ["name", "secret", "email", "email-list"];

    public static DirectoryRegistry Read(ConfigSection section)
    {
        var directories = new List<IDirectory>();
        foreach (var id in section.Keys())
        {
            var node = section.Value(id);
            if (node is not null && node.Kind != ConfigNodeKind.Table)
            {
                section.Error(node, id, $"expected a table [directory.{id}], found {node.TypeName}");
                continue;
            }
            var entry = section.Section(id);
            var directory = ReadDirectory(entry, id);
            entry.ReportUnknown();
            if (directory is not null)
            {
                directories.Add(directory);
            }
        }
        return directories.Count == 0 ? DirectoryRegistry.Empty : new DirectoryRegistry(directories);
    }

    private static MemoryDirectory? ReadDirectory(ConfigSection entry, string id)
    {
        var type = entry.OptionalString("type");
        if (type is null && entry.Value("type") is null)
        {
            // Still check the rest as the one type there is, so that all its errors show at once.
            entry.Error(null, "type", "is required (this version has \"memory\")");
        }
        else if (type is null)
        {
            return null; // a type that is not a string: reported
        }
        else if (!string.Equals(type, "memory", StringComparison.OrdinalIgnoreCase))
        {
            entry.Error(entry.Value("type"), "type", $"'{type}' is not a directory type (this version has \"memory\")");
            foreach (var key in entry.Keys())
            {
                entry.Value(key); // another type has other keys: not reported as unknown on top
            }
            return null;
        }

        var domains = new List<string>();
        foreach (var domain in entry.StringArray("domains", []))
        {
            if (domain.Length == 0 || domain.Contains('@', StringComparison.Ordinal) || domain.Contains(' ', StringComparison.Ordinal))
            {
                entry.Error(entry.Value("domains"), "domains", $"'{domain}' is not a domain name");
            }
            else
            {
                domains.Add(domain);
            }
        }
        var users = ReadUsers(entry);
        var lookups = ReadLookups(entry);
        return type is null ? null : new MemoryDirectory(id, domains, users, lookups);
    }

    private static List<DirectoryUser> ReadUsers(ConfigSection entry)
    {
        var users = new List<DirectoryUser>();
        var node = entry.Value("users");
        if (node is null)
        {
            return users;
        }
        if (node.Kind != ConfigNodeKind.Array)
        {
            entry.Error(node, "users", $"expected an array of tables ([[directory.<id>.users]]), found {node.TypeName}");
            return users;
        }

        var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var owners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < node.Items!.Count; i++)
        {
            var item = node.Items[i];
            var path = string.Create(CultureInfo.InvariantCulture, $"users[{i}]");
            if (item.Kind != ConfigNodeKind.Table)
            {
                entry.Error(item, path, $"expected a table with name, secret, email, email-list; found {item.TypeName}");
                continue;
            }
            var members = item.Members!;
            foreach (var (key, value) in members)
            {
                if (!s_userKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
                {
                    entry.Error(value, path + "." + key, "unknown key");
                }
            }

            var name = Text(entry, item, path, "name");
            var secret = Text(entry, item, path, "secret") ?? string.Empty;
            var emails = Addresses(entry, item, path, "email");
            var lists = Addresses(entry, item, path, "email-list");
            if (name is null)
            {
                if (!members.ContainsKey("name"))
                {
                    entry.Error(item, path + ".name", "is required");
                }
                continue;
            }
            if (name.Length == 0)
            {
                entry.Error(members["name"], path + ".name", "must not be empty");
                continue;
            }
            if (names.TryGetValue(name, out var first))
            {
                entry.Error(members["name"], path + ".name", string.Create(CultureInfo.InvariantCulture, $"user '{name}' is already defined by users[{first}]"));
                continue;
            }
            names[name] = i;

            var own = new List<string>();
            foreach (var email in emails)
            {
                if (owners.TryGetValue(email, out var owner))
                {
                    if (!string.Equals(owner, name, StringComparison.OrdinalIgnoreCase))
                    {
                        entry.Error(members["email"], path + ".email", $"'{email}' is already the email of user '{owner}'");
                    }
                    continue;
                }
                owners[email] = name;
                own.Add(email);
            }
            users.Add(new DirectoryUser(name, secret, own, lists.Distinct(StringComparer.OrdinalIgnoreCase).ToList()));
        }
        return users;
    }

    private static List<MemoryLookupList> ReadLookups(ConfigSection entry)
    {
        var lookups = new List<MemoryLookupList>();
        var node = entry.Value("lookup");
        if (node is null)
        {
            return lookups;
        }
        if (node.Kind != ConfigNodeKind.Table)
        {
            entry.Error(node, "lookup", $"expected a table of lists ([directory.<id>.lookup] with name = [\"...\"]), found {node.TypeName}");
            return lookups;
        }
        foreach (var (name, list) in node.Members!)
        {
            var path = "lookup." + name;
            if (list.Kind != ConfigNodeKind.Array)
            {
                entry.Error(list, path, $"expected an array of strings, found {list.TypeName}");
                continue;
            }
            var values = new List<string>();
            var networks = new List<IPNetwork>();
            foreach (var item in list.Items!)
            {
                if (item.Kind != ConfigNodeKind.String)
                {
                    entry.Error(item, path, $"expected an array of strings, found an element that is {item.TypeName}");
                    continue;
                }
                var text = (string)item.Scalar!;
                values.Add(text);
                if (RuleCompiler.TryParseNetwork(text, out var network))
                {
                    networks.Add(network);
                }
                else if (text.IndexOf('/', StringComparison.Ordinal) is var slash and > 0 && IPAddress.TryParse(text.AsSpan(0, slash), out _))
                {
                    entry.Error(item, path, $"'{text}' is not a CIDR network (e.g. \"192.168.0.0/24\", \"2001:db8::/48\")");
                }
            }
            lookups.Add(new MemoryLookupList(name, values, networks));
        }
        return lookups;
    }

    private static string? Text(ConfigSection entry, ConfigNode table, string path, string key)
    {
        if (!table.Members!.TryGetValue(key, out var node))
        {
            return null;
        }
        if (node.Kind != ConfigNodeKind.String)
        {
            entry.Error(node, path + "." + key, $"expected a string, found {node.TypeName}");
            return null;
        }
        return (string)node.Scalar!;
    }

    /// <summary>A string or an array of strings, each an address <c>local@domain</c>.</summary>
    private static List<string> Addresses(ConfigSection entry, ConfigNode table, string path, string key)
    {
        var result = new List<string>();
        if (!table.Members!.TryGetValue(key, out var node))
        {
            return result;
        }
        IEnumerable<ConfigNode> items = node.Kind == ConfigNodeKind.Array ? node.Items! : [node];
        foreach (var item in items)
        {
            if (item.Kind != ConfigNodeKind.String)
            {
                entry.Error(item, path + "." + key, node.Kind == ConfigNodeKind.Array
                    ? $"expected an array of addresses, found an element that is {item.TypeName}"
                    : $"expected an address or an array of addresses, found {item.TypeName}");
                continue;
            }
            var address = (string)item.Scalar!;
            var at = address.LastIndexOf('@');
            if (at <= 0 || at == address.Length - 1 || address.Contains(' ', StringComparison.Ordinal))
            {
                entry.Error(item, path + "." + key, $"'{address}' is not an address (local@domain)");
                continue;
            }
            if (!result.Contains(address, StringComparer.OrdinalIgnoreCase))
            {
                result.Add(address);
            }
        }
        return result;
    }
}
