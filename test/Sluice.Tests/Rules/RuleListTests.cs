using System.Net;
using Sluice.Configuration;

namespace Sluice.Tests.Rules;

/// <summary><c>in-list</c> / <c>not-in-list</c> against directory lookup lists (SPEC §2.2, §2.7).</summary>
public class RuleListTests
{
    private const string Lists = """
        [directory.local]
        type = "memory"
        domains = ["example.org"]
        [directory.local.lookup]
        blocked-ips = ["10.0.0.20", "192.168.1.0/24", "2001:db8:bad::/48", "::ffff:198.51.100.7"]
        vip-senders = ["Jane@Example.org", "ceo@example.org"]
        trusted-helo = ["mail.example.net", "10.9.9.9"]

        """;

    private static string Check(RuleContext context) => Evaluate("""
        [t]
        r = [ { if = "remote-ip", in-list = "local/blocked-ips", then = "blocked" },
              { if = "sender", in-list = "local/vip-senders", then = "vip" },
              { if = "helo-domain", not-in-list = "local/trusted-helo", then = "untrusted" },
              { else = "trusted" } ]
        """, context);

    private static string Evaluate(string rule, RuleContext context)
    {
        using var harness = new RuleHarness();
        var compiled = harness.ValidString(Lists + rule);
        return compiled.Evaluate(context);
    }

    [TestCase("10.0.0.20", "blocked", TestName = "an address in the list")]
    [TestCase("10.0.0.21", "untrusted", TestName = "an address next to it")]
    [TestCase("192.168.1.200", "blocked", TestName = "an address inside a CIDR of the list")]
    [TestCase("192.168.2.1", "untrusted", TestName = "an address outside it")]
    [TestCase("2001:db8:bad:1::9", "blocked", TestName = "an IPv6 address inside an IPv6 CIDR")]
    [TestCase("2001:db8:beef::9", "untrusted", TestName = "an IPv6 address outside it")]
    [TestCase("198.51.100.7", "blocked", TestName = "an IPv4-mapped entry matches the IPv4 client")]
    [TestCase("::ffff:192.168.1.5", "blocked", TestName = "an IPv4-mapped client matches an IPv4 CIDR")]
    public void In_list_on_an_IP_variable_takes_addresses_and_networks(string ip, string expected) =>
        Assert.That(Check(new RuleContext { RemoteIp = IPAddress.Parse(ip) }), Is.EqualTo(expected));

    [Test]
    public void In_list_on_a_string_variable_is_exact_membership_ignoring_case()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Check(new RuleContext { Sender = "JANE@example.ORG" }), Is.EqualTo("vip"));
            Assert.That(Check(new RuleContext { Sender = "jane@example.org", HeloDomain = "Mail.Example.NET" }), Is.EqualTo("vip"));
            Assert.That(Check(new RuleContext { Sender = "jane.doe@example.org", HeloDomain = "mail.example.net" }), Is.EqualTo("trusted"));
            Assert.That(Check(new RuleContext { HeloDomain = "mail.example" }), Is.EqualTo("untrusted"), "a prefix is not a member");
            Assert.That(Check(new RuleContext { HeloDomain = "10.9.9.9" }), Is.EqualTo("trusted"), "an address entry matches as text too");
        });
    }

    [Test]
    public void An_unknown_address_is_in_no_list()
    {
        var rule = """
            [t]
            r = [ { if = "remote-ip", in-list = "local/blocked-ips", then = "in" },
                  { if = "local-ip", not-in-list = "local/blocked-ips", then = "not in" },
                  { else = "neither" } ]
            """;
        Assert.That(Evaluate(rule, new RuleContext()), Is.EqualTo("not in"));
    }

    [Test]
    public void In_list_evaluation_allocates_nothing()
    {
        using var harness = new RuleHarness();
        var rule = harness.ValidString(Lists + """
            [t]
            r = [ { if = "remote-ip", in-list = "local/blocked-ips", then = "blocked" },
                  { if = "sender", not-in-list = "local/vip-senders", then = "ordinary" },
                  { else = "vip" } ]
            """);
        var context = new RuleContext { RemoteIp = IPAddress.Parse("2001:db8:beef::1"), Sender = "bob@example.org" };
        Assert.That(rule.Evaluate(context), Is.EqualTo("ordinary"));
        for (var i = 0; i < 100; i++)
        {
            rule.Evaluate(context);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            rule.Evaluate(context);
        }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }
}
