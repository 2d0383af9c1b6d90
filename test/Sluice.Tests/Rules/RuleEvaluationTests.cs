using System.Net;
using Sluice.Configuration;
using Sluice.Configuration.Rules;

namespace Sluice.Tests.Rules;

/// <summary>SPEC §2.2: what a compiled rule evaluates to, comparator by comparator and variable by variable.</summary>
public class RuleEvaluationTests
{
    private static string OneCondition(string variable, string comparator, string value) =>
        $$"""
        [t]
        r = [ { if = "{{variable}}", {{comparator}} = '{{value}}', then = "yes" },
              { else = "no" } ]
        """;

    private static bool Holds(string variable, string comparator, string value, RuleContext context)
    {
        using var harness = new RuleHarness();
        var rule = harness.ValidString(OneCondition(variable, comparator, value));
        return rule.Evaluate(context) == "yes";
    }

    [TestCase("sender", "eq", "jane.doe@example.org", true, TestName = "eq holds, ignoring case")]
    [TestCase("sender", "eq", "jane@example.org", false)]
    [TestCase("sender", "ne", "jane@example.org", true)]
    [TestCase("sender", "ne", "JANE.DOE@example.org", false)]
    [TestCase("rcpt", "starts-with", "bob@", true)]
    [TestCase("rcpt", "starts-with", "alice@", false)]
    [TestCase("rcpt", "not-starts-with", "alice@", true)]
    [TestCase("rcpt", "not-starts-with", "BOB@", false)]
    [TestCase("helo-domain", "ends-with", ".example.net", true)]
    [TestCase("helo-domain", "ends-with", ".example.org", false)]
    [TestCase("helo-domain", "not-ends-with", ".example.org", true)]
    [TestCase("helo-domain", "not-ends-with", "EXAMPLE.net", false)]
    [TestCase("sender", "matches", @"^[a-z.]+@example\.org$", true, TestName = "matches holds, ignoring case")]
    [TestCase("sender", "matches", @"^\d+@", false)]
    [TestCase("sender", "matches", @"(?-i)^jane", false, TestName = "matches is case-sensitive when the pattern says (?-i)")]
    [TestCase("sender", "not-matches", @"^\d+@", true)]
    [TestCase("sender", "not-matches", @"example\.org$", false)]
    [TestCase("sender-domain", "eq", "example.org", true)]
    [TestCase("rcpt-domain", "eq", "example.com", true)]
    [TestCase("listener", "eq", "mx", true)]
    [TestCase("listener", "eq", "submission", false)]
    [TestCase("authenticated-as", "ne", "", true)]
    [TestCase("remote-port", "eq", "40000", true)]
    [TestCase("local-port", "eq", "587", false)]
    [TestCase("priority", "eq", "3", true)]
    [TestCase("is-tls", "eq", "true", true)]
    [TestCase("remote-ip", "starts-with", "192.168.", true, TestName = "string comparators see an IP variable as text")]
    [TestCase("local-ip", "matches", "^2001:db8:", true)]
    public void A_comparator_on_a_variable(string variable, string comparator, string value, bool expected) =>
        Assert.That(Holds(variable, comparator, value, RuleHarness.FullContext()), Is.EqualTo(expected));

    [TestCase("remote-ip", "eq", "192.168.1.0/24", true, TestName = "eq: IPv4 CIDR that holds the address")]
    [TestCase("remote-ip", "eq", "10.0.0.0/8", false, TestName = "eq: IPv4 CIDR that does not")]
    [TestCase("remote-ip", "eq", "192.168.1.77/24", true, TestName = "eq: bits after the prefix are ignored")]
    [TestCase("remote-ip", "eq", "192.168.1.10", true, TestName = "eq: a plain IPv4 address")]
    [TestCase("remote-ip", "eq", "192.168.1.11", false, TestName = "eq: another plain IPv4 address")]
    [TestCase("remote-ip", "ne", "10.0.0.0/8", true, TestName = "ne: IPv4 CIDR")]
    [TestCase("remote-ip", "ne", "192.168.0.0/16", false, TestName = "ne: IPv4 CIDR that holds it")]
    [TestCase("local-ip", "eq", "2001:db8::/48", true, TestName = "eq: IPv6 CIDR")]
    [TestCase("local-ip", "eq", "2001:db9::/32", false, TestName = "eq: IPv6 CIDR that does not")]
    [TestCase("local-ip", "eq", "2001:db8:0::25", true, TestName = "eq: a plain IPv6 address, written differently")]
    [TestCase("local-ip", "ne", "2001:db8::/32", false, TestName = "ne: IPv6 CIDR that holds it")]
    [TestCase("remote-ip", "eq", "::/0", false, TestName = "eq: an IPv6 network never holds an IPv4 address")]
    [TestCase("remote-ip", "eq", "0.0.0.0/0", true, TestName = "eq: 0.0.0.0/0 holds every IPv4 address")]
    public void Eq_and_ne_on_an_IP_variable_take_addresses_and_networks(string variable, string comparator, string value, bool expected) =>
        Assert.That(Holds(variable, comparator, value, RuleHarness.FullContext()), Is.EqualTo(expected));

    [Test]
    public void An_IPv4_client_on_a_dual_stack_socket_is_seen_as_IPv4()
    {
        var context = new RuleContext { RemoteIp = IPAddress.Parse("::ffff:10.1.2.3") };
        Assert.Multiple(() =>
        {
            Assert.That(context.ValueOf(RuleVariable.RemoteIp), Is.EqualTo("10.1.2.3"));
            Assert.That(Holds("remote-ip", "eq", "10.0.0.0/8", context), Is.True);
        });
    }

    [Test]
    public void Variables_not_known_yet_read_as_the_empty_string()
    {
        // At connect: only the endpoints and the listener are known.
        var context = new RuleContext { Listener = "mx" };
        context.SetEndpoints(new IPEndPoint(IPAddress.Parse("203.0.113.9"), 51000), new IPEndPoint(IPAddress.Loopback, 25));
        Assert.Multiple(() =>
        {
            Assert.That(Holds("sender", "eq", "", context), Is.True);
            Assert.That(Holds("rcpt-domain", "eq", "", context), Is.True);
            Assert.That(Holds("helo-domain", "ne", "", context), Is.False);
            Assert.That(Holds("authenticated-as", "eq", "", context), Is.True);
            Assert.That(Holds("priority", "eq", "", context), Is.True);
            Assert.That(Holds("is-tls", "eq", "false", context), Is.True);
            Assert.That(Holds("remote-port", "eq", "51000", context), Is.True);
            Assert.That(Holds("sender", "matches", "^$", context), Is.True);
            Assert.That(Holds("sender", "starts-with", "a", context), Is.False);
        });
        foreach (var variable in Enum.GetValues<RuleVariable>())
        {
            Assert.That(new RuleContext().ValueOf(variable), Is.EqualTo(variable == RuleVariable.IsTls ? "false" : string.Empty), variable.ToString());
        }
    }

    [Test]
    public void An_unknown_address_is_in_no_network()
    {
        var context = new RuleContext();
        Assert.Multiple(() =>
        {
            Assert.That(Holds("remote-ip", "eq", "0.0.0.0/0", context), Is.False);
            Assert.That(Holds("remote-ip", "ne", "10.0.0.0/8", context), Is.True);
            Assert.That(Holds("remote-ip", "eq", "", context), Is.True);
        });
    }

    [Test]
    public void A_rule_evaluated_without_a_context_sees_every_variable_unknown()
    {
        using var harness = new RuleHarness();
        var rule = harness.ValidString("""
            [t]
            r = [ { if = "sender", ne = "", then = "sender known" },
                  { if = "remote-ip", eq = "", then = "no address" },
                  { else = "no" } ]
            """);
        Assert.That(rule.Evaluate(), Is.EqualTo("no address"));
    }

    [Test]
    public void The_session_fills_variables_as_stages_progress_and_clears_the_transaction()
    {
        using var harness = new RuleHarness();
        var rule = harness.ValidString("""
            [t]
            r = [ { if = "rcpt-domain", eq = "example.com", then = "rcpt" },
                  { if = "sender-domain", eq = "example.org", then = "mail" },
                  { if = "helo-domain", ne = "", then = "ehlo" },
                  { else = "connect" } ]
            """);
        var context = new RuleContext { Listener = "mx" };
        var seen = new List<string> { rule.Evaluate(context) };
        context.HeloDomain = "client.example.net";
        seen.Add(rule.Evaluate(context));
        context.Sender = "someone@EXAMPLE.org";
        seen.Add(rule.Evaluate(context));
        context.Recipient = "bob@example.com";
        seen.Add(rule.Evaluate(context));
        context.ClearTransaction();
        seen.Add(rule.Evaluate(context));
        Assert.That(seen, Is.EqualTo(new[] { "connect", "ehlo", "mail", "rcpt", "ehlo" }));
        Assert.Multiple(() =>
        {
            Assert.That(context.Sender, Is.Empty);
            Assert.That(context.SenderDomain, Is.Empty);
            Assert.That(context.RecipientDomain, Is.Empty);
        });
    }

    [Test]
    public void Domains_are_cut_after_the_last_at_sign()
    {
        var context = new RuleContext { Sender = "\"a@b\"@Example.org", Recipient = "postmaster" };
        Assert.Multiple(() =>
        {
            Assert.That(context.SenderDomain, Is.EqualTo("Example.org"));
            Assert.That(context.RecipientDomain, Is.Empty);
        });
    }

    [Test]
    public void Blocks_are_tried_in_order_and_the_first_that_holds_wins()
    {
        using var harness = new RuleHarness();
        var rule = harness.Int("""
            [t]
            r = [ { if = "listener", eq = "mx", then = 1 },
                  { if = "remote-ip", eq = "192.168.0.0/16", then = 2 },
                  { else = 3 } ]
            """);
        Assert.That(harness.Errors, Is.Empty);
        var context = RuleHarness.FullContext();
        var first = rule.Evaluate(context);
        context.Listener = "submission";
        var second = rule.Evaluate(context);
        context.RemoteIp = IPAddress.Parse("203.0.113.1");
        var third = rule.Evaluate(context);
        Assert.That(new[] { first, second, third }, Is.EqualTo(new[] { 1, 2, 3 }));
    }

    [Test]
    public void The_spec_example_with_any_of_all_of_and_none_of()
    {
        using var harness = new RuleHarness();
        var rule = harness.Int("""
            [t]
            r = [ { any-of = [ { if = "remote-ip", eq = "10.0.0.0/8" },
                               { all-of = [ { if = "rcpt", starts-with = "no-reply@" },
                                            { none-of = [ { if = "listener", eq = "smtp" } ] } ] } ],
                    then = 1000 },
                  { else = 25 } ]
            """);
        Assert.That(harness.Errors, Is.Empty);

        int Evaluate(string ip, string rcpt, string listener) =>
            rule.Evaluate(new RuleContext { RemoteIp = IPAddress.Parse(ip), Recipient = rcpt, Listener = listener });

        Assert.Multiple(() =>
        {
            Assert.That(Evaluate("10.9.8.7", "a@example.org", "smtp"), Is.EqualTo(1000), "any-of: first branch");
            Assert.That(Evaluate("192.0.2.1", "no-reply@example.org", "mx"), Is.EqualTo(1000), "all-of with none-of holding");
            Assert.That(Evaluate("192.0.2.1", "no-reply@example.org", "smtp"), Is.EqualTo(25), "none-of fails");
            Assert.That(Evaluate("192.0.2.1", "a@example.org", "mx"), Is.EqualTo(25), "all-of fails");
        });
    }

    [Test]
    public void None_of_holds_only_when_no_condition_does()
    {
        using var harness = new RuleHarness();
        var rule = harness.ValidBool("""
            [t]
            r = [ { none-of = [ { if = "listener", eq = "mx" }, { if = "is-tls", eq = "true" } ], then = true },
                  { else = false } ]
            """);
        Assert.Multiple(() =>
        {
            Assert.That(rule.Evaluate(new RuleContext { Listener = "smtp" }), Is.True);
            Assert.That(rule.Evaluate(new RuleContext { Listener = "mx" }), Is.False);
            Assert.That(rule.Evaluate(new RuleContext { Listener = "smtp", IsTls = true }), Is.False);
        });
    }

    /// <summary>
    /// Wraps <paramref name="leaf"/> in blocks up to <paramref name="depth"/> levels: any-of, none-of,
    /// none-of, all-of, ... The none-of come in pairs, so the whole means what the leaf means.
    /// </summary>
    internal static string Nested(int depth, string leaf)
    {
        var text = leaf;
        for (var level = depth - 1; level >= 1; level--)
        {
            var logic = (level % 4) switch { 0 => "all-of", 1 => "any-of", _ => "none-of" };
            text = $"{{ {logic} = [ {text} ] }}";
        }
        return text;
    }

    [Test]
    public void Conditions_nest_to_the_bound_of_32_levels()
    {
        var nested = Nested(RuleCompiler.MaxDepth, "{ if = \"listener\", eq = \"mx\" }");
        // Count the levels the text really has: one per opening brace.
        Assert.That(nested.Count(c => c == '{'), Is.EqualTo(RuleCompiler.MaxDepth));
        using var harness = new RuleHarness();
        var rule = harness.ValidBool($"[t]\nr = [ {nested[..^1]}, then = true }}, {{ else = false }} ]\n");
        Assert.Multiple(() =>
        {
            Assert.That(rule.Evaluate(new RuleContext { Listener = "mx" }), Is.True);
            Assert.That(rule.Evaluate(new RuleContext { Listener = "smtp" }), Is.False);
        });
    }

    [Test]
    public void Regex_groups_of_the_matched_condition_fill_then()
    {
        using var harness = new RuleHarness();
        var rule = harness.ValidString("""
            [t]
            r = [ { if = "rcpt", matches = '^([^@+]+)\+([^@]*)@example\.org$', then = "${1}@example.org (tag ${2})" },
                  { all-of = [ { if = "listener", eq = "mx" },
                               { if = "sender", matches = '^(.+)@old\.example$' } ],
                    then = "${1}@new.example" },
                  { if = "helo-domain", matches = '^(mail)?(\.?.*)$', then = "[${1}][${2}][${0}]" },
                  { else = "none" } ]
            """);
        Assert.Multiple(() =>
        {
            Assert.That(rule.Evaluate(new RuleContext { Recipient = "Bob+News@Example.ORG" }), Is.EqualTo("Bob@example.org (tag News)"),
                "groups keep the client's case");
            Assert.That(rule.Evaluate(new RuleContext { Listener = "mx", Sender = "jane@old.example" }), Is.EqualTo("jane@new.example"),
                "a group from inside all-of");
            Assert.That(rule.Evaluate(new RuleContext { HeloDomain = "relay.example" }), Is.EqualTo("[][relay.example][relay.example]"),
                "a group that took no part is empty");
            Assert.That(rule.Evaluate(new RuleContext { Sender = "jane@old.example" }), Is.EqualTo("[][][]"),
                "all-of failed: the next block's groups");
        });
    }

    [Test]
    public void In_any_of_the_groups_come_from_the_condition_that_held()
    {
        using var harness = new RuleHarness();
        var rule = harness.ValidString("""
            [t]
            r = [ { any-of = [ { all-of = [ { if = "sender", matches = '^(a)' }, { if = "listener", eq = "never" } ] },
                               { if = "rcpt", matches = '^(b)' },
                               { if = "listener", eq = "mx" } ],
                    then = "<${1}>" },
                  { else = "none" } ]
            """);
        Assert.Multiple(() =>
        {
            Assert.That(rule.Evaluate(new RuleContext { Sender = "a@x", Recipient = "b@x" }), Is.EqualTo("<b>"));
            Assert.That(rule.Evaluate(new RuleContext { Sender = "a@x", Listener = "mx" }), Is.EqualTo("<>"),
                "the failed all-of leaves no group behind");
        });
    }

    [Test]
    public void Text_that_is_not_a_group_reference_stays_as_written()
    {
        using var harness = new RuleHarness();
        var rule = harness.ValidString("""
            [t]
            r = [ { if = "sender", matches = '^(.*)$', then = "$1 ${x} ${1" },
                  { else = "cost: $5 ${}" } ]
            """);
        Assert.Multiple(() =>
        {
            Assert.That(rule.Evaluate(new RuleContext { Sender = "a" }), Is.EqualTo("$1 ${x} ${1"));
            Assert.That(rule.Else, Is.EqualTo("cost: $5 ${}"));
        });
    }

    [Test]
    public void A_regex_that_runs_past_its_timeout_fails_either_way()
    {
        using var harness = new RuleHarness();
        // Nested quantifiers over a string that almost matches: exponential backtracking.
        var rule = harness.ValidString("""
            [t]
            r = [ { if = "helo-domain", matches = '^(\w+\s?)*$', then = "matches" },
                  { if = "helo-domain", not-matches = '^(\w+\s?)*$', then = "not-matches" },
                  { else = "neither" } ]
            """);
        var hostile = new RuleContext { HeloDomain = new string('a', 40) + "!" };
        Assert.That(rule.Evaluate(hostile), Is.EqualTo("neither"));
    }

    [Test]
    public void A_plain_value_is_a_constant_rule()
    {
        using var harness = new RuleHarness();
        var rule = harness.ValidBool("[t]\nr = true\n");
        Assert.Multiple(() =>
        {
            Assert.That(rule.IsConstant, Is.True);
            Assert.That(rule.BranchCount, Is.Zero);
            Assert.That(rule.Else, Is.True);
            Assert.That(rule.Evaluate(RuleHarness.FullContext()), Is.True);
        });
    }

    [Test]
    public void A_rule_knows_which_variables_it_reads()
    {
        using var harness = new RuleHarness();
        var rule = harness.ValidBool("""
            [t]
            r = [ { if = "listener", eq = "mx", then = true },
                  { all-of = [ { if = "remote-ip", eq = "10.0.0.0/8" }, { none-of = [ { if = "sender", eq = "" } ] } ], then = true },
                  { else = false } ]
            """);
        var read = Enum.GetValues<RuleVariable>().Where(rule.DependsOn);
        Assert.Multiple(() =>
        {
            Assert.That(rule.IsConstant, Is.False);
            Assert.That(rule.BranchCount, Is.EqualTo(2));
            Assert.That(read, Is.EqualTo(new[] { RuleVariable.RemoteIp, RuleVariable.Listener, RuleVariable.Sender }));
        });
    }

    [Test]
    public void Evaluating_a_rule_with_a_network_and_a_regex_allocates_nothing()
    {
        using var harness = new RuleHarness();
        var rule = harness.ValidBool("""
            [t]
            r = [ { all-of = [ { if = "remote-ip", eq = "10.0.0.0/8" }, { if = "listener", eq = "mx" } ], then = false },
                  { if = "sender", matches = '^[^@]+@example\.(org|net)$', then = true },
                  { if = "local-ip", ne = "2001:db8::/32", then = false },
                  { else = false } ]
            """);
        var context = RuleHarness.FullContext();
        Assert.That(rule.Evaluate(context), Is.True);
        for (var i = 0; i < 100; i++)
        {
            rule.Evaluate(context); // warm up (tiered compilation)
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        var count = 0;
        for (var i = 0; i < 1000; i++)
        {
            count += rule.Evaluate(context) ? 1 : 0;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That((count, allocated), Is.EqualTo((1000, 0L)));
    }
}
