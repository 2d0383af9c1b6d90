using System.Net;
using Sluice.Directories;
using Sluice.Tests.Configuration;
using Sluice.Tests.Support;

namespace Sluice.Tests.Directories;

/// <summary>SPEC §2.7: the <c>memory</c> directory read from <c>[directory.&lt;id&gt;]</c>.</summary>
public class MemoryDirectoryTests
{
    private const string Local = """
        [directory."local"]
        type = "memory"
        domains = ["example.org", "Example.NET"]

        [[directory."local".users]]
        name = "jane"
        secret = "$2y$05$bvIG6Nmid91Mu9RcmmWZfO5HJIMCT8riNW0hEp8f6/FuA2/mHZFpe"
        email = ["jane@example.org", "jane.doe@example.org"]
        email-list = ["info@example.org", "sales@example.org"]

        [[directory."local".users]]
        name = "bob"
        secret = "plain-text"
        email = "bob@example.net"
        email-list = "info@example.org"

        [[directory."local".users]]
        name = "catch"
        email-list = ["abuse@example.org"]

        [directory."local".lookup]
        blocked-ips = ["10.0.0.20", "192.168.1.0/24", "2001:db8::/32"]
        spam-domains = ["spam.example", "Junk.Example"]

        """;

    /// <summary>The memory directory answers synchronously: a completed ValueTask, no allocation of a Task.</summary>
    private static T Sync<T>(ValueTask<T> pending)
    {
        Assert.That(pending.IsCompletedSuccessfully, Is.True);
        return pending.Result;
    }

    private static IDirectory ReadLocal(string extra = "")
    {
        using var dir = new TempDir();
        var settings = ConfigHelper.ReadValid(dir, Local + extra);
        Assert.That(settings.Directories.TryGet("LOCAL", out var directory), Is.True, "ids ignore case");
        return directory!;
    }

    [Test]
    public void Local_domains_ignore_case()
    {
        var directory = ReadLocal();
        Assert.Multiple(() =>
        {
            Assert.That(directory.Id, Is.EqualTo("local"));
            Assert.That(Sync(directory.IsLocalDomainAsync("EXAMPLE.org")), Is.True);
            Assert.That(Sync(directory.IsLocalDomainAsync("example.net")), Is.True);
            Assert.That(Sync(directory.IsLocalDomainAsync("sub.example.org")), Is.False);
            Assert.That(Sync(directory.IsLocalDomainAsync("example.com")), Is.False);
        });
    }

    [Test]
    public void Users_are_found_by_any_of_their_addresses_and_by_name()
    {
        var directory = ReadLocal();
        var jane = Sync(directory.FindByAddressAsync("Jane.Doe@EXAMPLE.org"));
        var bob = Sync(directory.FindByAddressAsync("bob@example.net"));
        Assert.Multiple(() =>
        {
            Assert.That(jane?.Name, Is.EqualTo("jane"));
            Assert.That(jane?.Emails, Is.EqualTo(new[] { "jane@example.org", "jane.doe@example.org" }));
            Assert.That(jane?.EmailLists, Is.EqualTo(new[] { "info@example.org", "sales@example.org" }));
            Assert.That(jane?.Secret, Is.EqualTo("$2y$05$bvIG6Nmid91Mu9RcmmWZfO5HJIMCT8riNW0hEp8f6/FuA2/mHZFpe"), "secrets are kept as written");
            Assert.That(bob?.Emails, Is.EqualTo(new[] { "bob@example.net" }), "email may be a single string");
            Assert.That(bob?.Secret, Is.EqualTo("plain-text"));
            Assert.That(Sync(directory.FindByAddressAsync("info@example.org")), Is.Null, "a list address is no user's own");
            Assert.That(Sync(directory.FindByAddressAsync("nobody@example.org")), Is.Null);
            Assert.That(Sync(directory.FindByNameAsync("JANE")), Is.SameAs(jane));
            Assert.That(Sync(directory.FindByNameAsync("catch"))?.Secret, Is.Empty, "a user without a secret cannot log in");
            Assert.That(Sync(directory.FindByNameAsync("nobody")), Is.Null);
        });
    }

    [Test]
    public void A_user_never_shows_its_secret_when_printed()
    {
        var jane = Sync(ReadLocal().FindByNameAsync("jane"))!;
        Assert.That(jane.ToString(), Is.EqualTo("jane"));
    }

    [Test]
    public void Local_addresses_are_the_users_emails_and_email_lists()
    {
        var directory = ReadLocal();
        Assert.Multiple(() =>
        {
            Assert.That(Sync(directory.IsLocalAddressAsync("jane@example.org")), Is.True);
            Assert.That(Sync(directory.IsLocalAddressAsync("BOB@example.net")), Is.True);
            Assert.That(Sync(directory.IsLocalAddressAsync("info@example.org")), Is.True);
            Assert.That(Sync(directory.IsLocalAddressAsync("abuse@example.org")), Is.True);
            Assert.That(Sync(directory.IsLocalAddressAsync("nobody@example.org")), Is.False);
        });
    }

    [Test]
    public void Expn_lists_the_users_of_an_email_list_in_file_order()
    {
        var directory = ReadLocal();
        Assert.Multiple(() =>
        {
            Assert.That(Sync(directory.ExpandAsync("INFO@example.org")).Select(u => u.Name), Is.EqualTo(new[] { "jane", "bob" }));
            Assert.That(Sync(directory.ExpandAsync("sales@example.org")).Select(u => u.Name), Is.EqualTo(new[] { "jane" }));
            Assert.That(Sync(directory.ExpandAsync("jane@example.org")), Is.Empty, "a user's own address is not a list");
            Assert.That(Sync(directory.ExpandAsync("nobody@example.org")), Is.Empty);
        });
    }

    [Test]
    public void Lookup_lists_hold_strings_and_networks()
    {
        var directory = ReadLocal();
        Assert.That(directory.LookupNames, Is.EquivalentTo(new[] { "blocked-ips", "spam-domains" }));
        Assert.That(directory.TryGetLookup("BLOCKED-IPS", out var ips), Is.True);
        Assert.That(directory.TryGetLookup("spam-domains", out var domains), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(ips!.Contains(IPAddress.Parse("10.0.0.20")), Is.True);
            Assert.That(ips.Contains(IPAddress.Parse("10.0.0.21")), Is.False);
            Assert.That(ips.Contains(IPAddress.Parse("192.168.1.254")), Is.True);
            Assert.That(ips.Contains(IPAddress.Parse("::ffff:192.168.1.1")), Is.True);
            Assert.That(ips.Contains(IPAddress.Parse("2001:db8:1::1")), Is.True);
            Assert.That(ips.Contains(IPAddress.Parse("2001:db9::1")), Is.False);
            Assert.That(ips.Contains("10.0.0.20"), Is.True);
            Assert.That(domains!.Contains("junk.example"), Is.True);
            Assert.That(domains.Contains("spam.example.org"), Is.False);
            Assert.That(domains.Contains(IPAddress.Loopback), Is.False);
            Assert.That(directory.TryGetLookup("missing", out _), Is.False);
        });
    }

    [Test]
    public void Several_directories_are_registered_by_id()
    {
        using var dir = new TempDir();
        var settings = ConfigHelper.ReadValid(dir, Local + """
            [directory.partners]
            type = "Memory"
            domains = ["partner.example"]
            """);
        Assert.Multiple(() =>
        {
            Assert.That(settings.Directories.Ids, Is.EquivalentTo(new[] { "local", "partners" }));
            Assert.That(Sync(settings.Directories["partners"].IsLocalDomainAsync("partner.example")), Is.True);
            Assert.That(Sync(settings.Directories["local"].IsLocalDomainAsync("partner.example")), Is.False);
            Assert.That(() => settings.Directories["nothing"], Throws.InstanceOf<KeyNotFoundException>());
        });
    }

    [Test]
    public void Without_a_directory_section_the_registry_is_empty()
    {
        using var dir = new TempDir();
        var settings = ConfigHelper.ReadValid(dir, "");
        Assert.That(settings.Directories.Count, Is.Zero);
    }

    [Test]
    public void The_memory_directory_can_be_built_in_code()
    {
        var directory = new MemoryDirectory("code", ["example.com"],
            [new DirectoryUser("ann", "secret", ["ann@example.com"], ["team@example.com"])],
            [new MemoryLookupList("nets", ["10.0.0.0/8"], [IPNetwork.Parse("10.0.0.0/8")])]);
        Assert.Multiple(() =>
        {
            Assert.That(Sync(directory.ExpandAsync("team@example.com")).Single().Name, Is.EqualTo("ann"));
            Assert.That(directory.TryGetLookup("nets", out var nets) && nets.Contains(IPAddress.Parse("10.1.2.3")), Is.True);
            Assert.That(() => new MemoryDirectory("x", [], [new DirectoryUser("a", "", ["a@x.org"], []), new DirectoryUser("A", "", [], [])], []),
                Throws.ArgumentException.With.Message.Contains("two users are named"));
            Assert.That(() => new MemoryDirectory("x", [], [new DirectoryUser("a", "", ["a@x.org"], []), new DirectoryUser("b", "", ["A@x.org"], [])], []),
                Throws.ArgumentException.With.Message.Contains("is the email of both 'a' and 'b'"));
        });
    }
}
