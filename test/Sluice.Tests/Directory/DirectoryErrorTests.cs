using Sluice.Tests.Configuration;
using Sluice.Tests.Support;

namespace Sluice.Tests.Directories;

/// <summary>Errors in <c>[directory.&lt;id&gt;]</c>: each with its key path and line, all of them listed.</summary>
public class DirectoryErrorTests
{
    private static string[] Errors(string toml)
    {
        using var dir = new TempDir();
        var (_, errors, path) = ConfigHelper.Read(dir, toml);
        return [.. errors.Select(e => e.ToString().Replace(path, "FILE", StringComparison.Ordinal))];
    }

    [Test]
    public void The_type_is_required_and_must_be_memory()
    {
        Assert.That(Errors("""
            [directory.a]
            domains = ["example.org", "a@b"]

            [directory.b]
            type = "ldap"
            url = "ldap://ldap.example.org"

            [directory.c]
            type = 1
            """), Is.EqualTo(new[]
        {
            "FILE:1: directory.a.type: is required (this version has \"memory\")",
            "FILE:2: directory.a.domains: 'a@b' is not a domain name",
            "FILE:5: directory.b.type: 'ldap' is not a directory type (this version has \"memory\")",
            "FILE:9: directory.c.type: expected a string, found an integer",
        }));
    }

    [Test]
    public void Unknown_keys_are_errors_in_the_directory_and_in_its_users()
    {
        Assert.That(Errors("""
            [directory.local]
            type = "memory"
            domain = ["example.org"]

            [[directory.local.users]]
            name = "jane"
            password = "x"
            """), Is.EqualTo(new[]
        {
            "FILE:7: directory.local.users[0].password: unknown key",
            "FILE:3: directory.local.domain: unknown key",
        }));
    }

    [Test]
    public void A_directory_that_is_not_a_table_is_an_error()
    {
        Assert.That(Errors("""
            [directory]
            local = "memory"
            """), Is.EqualTo(new[] { "FILE:2: directory.local: expected a table [directory.local], found a string" }));
    }

    [Test]
    public void Users_need_a_unique_name_and_unique_valid_addresses()
    {
        Assert.That(Errors("""
            [directory.local]
            type = "memory"
            domains = ["example.org", "bad@domain"]

            [[directory.local.users]]
            name = "jane"
            email = ["jane@example.org", "jane"]
            email-list = [ 5 ]

            [[directory.local.users]]
            secret = "x"

            [[directory.local.users]]
            name = "JANE"

            [[directory.local.users]]
            name = "john"
            email = "Jane@Example.org"

            [[directory.local.users]]
            name = ""

            [[directory.local.users]]
            name = "ann"
            email = { address = "ann@example.org" }
            """), Is.EqualTo(new[]
        {
            "FILE:3: directory.local.domains: 'bad@domain' is not a domain name",
            "FILE:7: directory.local.users[0].email: 'jane' is not an address (local@domain)",
            "FILE:8: directory.local.users[0].email-list: expected an array of addresses, found an element that is an integer",
            "FILE:10: directory.local.users[1].name: is required",
            "FILE:14: directory.local.users[2].name: user 'JANE' is already defined by users[0]",
            "FILE:18: directory.local.users[3].email: 'Jane@Example.org' is already the email of user 'jane'",
            "FILE:21: directory.local.users[4].name: must not be empty",
            "FILE:25: directory.local.users[5].email: expected an address or an array of addresses, found a table",
        }));
    }

    [Test]
    public void Lookup_lists_are_arrays_of_strings_and_CIDRs_must_parse()
    {
        Assert.That(Errors("""
            [directory.local]
            type = "memory"
            [directory.local.lookup]
            blocked-ips = ["10.0.0.0/8", "10.0.0.0/40", "2001:db8::/200", 7]
            names = "example.org"
            paths = ["example.org/foo"]
            """), Is.EqualTo(new[]
        {
            "FILE:4: directory.local.lookup.blocked-ips: '10.0.0.0/40' is not a CIDR network (e.g. \"192.168.0.0/24\", \"2001:db8::/48\")",
            "FILE:4: directory.local.lookup.blocked-ips: '2001:db8::/200' is not a CIDR network (e.g. \"192.168.0.0/24\", \"2001:db8::/48\")",
            "FILE:4: directory.local.lookup.blocked-ips: expected an array of strings, found an element that is an integer",
            "FILE:5: directory.local.lookup.names: expected an array of strings, found a string",
        }));
    }

    [Test]
    public void Users_that_are_not_tables_are_errors()
    {
        Assert.That(Errors("""
            [directory.local]
            type = "memory"
            users = "jane"

            [directory.other]
            type = "memory"
            users = ["jane"]
            """), Is.EqualTo(new[]
        {
            "FILE:3: directory.local.users: expected an array of tables ([[directory.<id>.users]]), found a string",
            "FILE:7: directory.other.users[0]: expected a table with name, secret, email, email-list; found a string",
        }));
    }
}
