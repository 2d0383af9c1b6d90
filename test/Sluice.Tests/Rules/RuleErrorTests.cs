using Sluice.Configuration;
using Sluice.Configuration.Rules;
using Sluice.Server;
using Sluice.Tests.Configuration;
using Sluice.Tests.Support;

namespace Sluice.Tests.Rules;

/// <summary>
/// Every rule error is a configuration error with the key path inside the rule and the line, and
/// compilation goes on, so <c>--check</c> lists them all.
/// </summary>
public class RuleErrorTests
{
    private const string Variables = "remote-ip, remote-port, local-ip, local-port, listener, helo-domain, sender, sender-domain, rcpt, rcpt-domain, authenticated-as, priority, is-tls";
    private const string Comparators = "eq, ne, starts-with, not-starts-with, ends-with, not-ends-with, in-list, not-in-list, matches, not-matches";
    private const string Directory = """
        [directory.local]
        type = "memory"
        [directory.local.lookup]
        blocked-ips = ["10.0.0.0/8"]
        vips = ["jane@example.org"]

        """;

    /// <summary>Compiles <c>[t] r = &lt;rule&gt;</c> (line 2) as a string rule, or as a bool rule when <paramref name="asBool"/>.</summary>
    private static string[] Errors(string rule, bool asBool = false)
    {
        using var harness = new RuleHarness();
        var toml = "[t]\nr = " + rule + "\n";
        if (asBool)
        {
            harness.Bool(toml);
        }
        else
        {
            harness.String(toml);
        }
        return [.. harness.Messages];
    }

    [TestCase("""[ { if = "remote_ip", eq = "10.0.0.1", then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0].if: 'remote_ip' is not a variable (" + Variables + ")", TestName = "unknown variable")]
    [TestCase("""[ { if = 5, eq = "10.0.0.1", then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0].if: expected a variable name (a string), found an integer", TestName = "if that is not a string")]
    [TestCase("""[ { if = "sender", equals = "a@b", then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0].equals: 'equals' is not a comparator (" + Comparators + ")", TestName = "unknown comparator")]
    [TestCase("""[ { when = "sender", then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0].when: unknown key 'when' in a condition block (if with a comparator, all-of, any-of, none-of, then)", TestName = "unknown key in a block")]
    [TestCase("""[ { if = "sender", eq = "a@b", ne = "c@d", then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0]: a condition block has one comparator; found eq and ne", TestName = "two comparators in one block")]
    [TestCase("""[ { if = "sender", then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0]: if needs a comparator: " + Comparators, TestName = "if without a comparator")]
    [TestCase("""[ { eq = "a@b", then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0]: eq needs if = \"<variable>\"", TestName = "comparator without if")]
    [TestCase("""[ { then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0]: a condition block needs if = \"<variable>\" with a comparator, or all-of/any-of/none-of", TestName = "block with no condition")]
    [TestCase("""[ { if = "sender", eq = "a@b" }, { else = "b" } ]""",
        "FILE:2: t.r[0]: a condition block needs then = <value>, the value when it holds", TestName = "missing then")]
    [TestCase("""[ { if = "sender", eq = "a@b", then = "a" } ]""",
        "FILE:2: t.r: a rule must end with an { else = <value> } block", TestName = "missing else")]
    [TestCase("""[ { else = "b" }, { if = "sender", eq = "a@b", then = "a" } ]""",
        "FILE:2: t.r[0].else: else must be the last block of a rule; 1 block(s) follow it", TestName = "else not last")]
    [TestCase("""[ { if = "sender", eq = "a@b", then = "a", else = "b" } ]""",
        "FILE:2: t.r[0]: an else block has nothing but else: { else = <value> }; found if, eq, then", TestName = "else beside a condition")]
    [TestCase("""[ { if = "sender", eq = "a@b", then = "a" }, 7, { else = "b" } ]""",
        "FILE:2: t.r[1]: expected a condition block (an inline table), found an integer", TestName = "an element that is not a block")]
    [TestCase("""[ { if = "sender", all-of = [ { if = "rcpt", eq = "x" } ], then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0]: a condition block has either if with a comparator or one of all-of/any-of/none-of; found if and all-of", TestName = "if beside all-of")]
    [TestCase("""[ { all-of = [ { if = "rcpt", eq = "x" } ], any-of = [ { if = "rcpt", eq = "y" } ], then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0]: a condition block has one of all-of/any-of/none-of; found all-of and any-of", TestName = "all-of beside any-of")]
    [TestCase("""[ { all-of = [ { if = "rcpt", eq = "x" } ], eq = "y", then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0].eq: eq needs if = \"<variable>\" in its own block, not beside all-of", TestName = "comparator beside all-of")]
    [TestCase("""[ { any-of = "sender", then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0].any-of: expected an array of condition blocks, found a string", TestName = "any-of that is not an array")]
    [TestCase("""[ { none-of = [], then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0].none-of: none-of needs at least one condition block", TestName = "empty none-of")]
    [TestCase("""[ { all-of = [ { if = "rcpt", eq = "x" }, "sender" ], then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0].all-of[1]: expected a condition block (an inline table), found a string", TestName = "all-of element that is not a block")]
    [TestCase("""[ { all-of = [ { if = "rcpt", eq = "x", then = "c" } ], then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0].all-of[0].then: then belongs to the outermost blocks of a rule, not to a condition", TestName = "then inside all-of")]
    [TestCase("""[ { if = "remote-port", eq = 25, then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0].eq: expected a string, found an integer (write eq = \"25\")", TestName = "comparator value that is not a string")]
    [TestCase("""[ { if = "is-tls", eq = true, then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0].eq: expected a string, found a boolean (write eq = \"true\")", TestName = "comparator value that is a boolean")]
    [TestCase("""[ { if = "remote-ip", eq = "300.0.0.0/8", then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0].eq: '300.0.0.0/8' is not an IP address or a CIDR network (e.g. \"192.168.0.0/24\", \"2001:db8::/48\")", TestName = "IPv4 CIDR with a bad address")]
    [TestCase("""[ { if = "remote-ip", ne = "10.0.0.0/33", then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0].ne: '10.0.0.0/33' is not an IP address or a CIDR network (e.g. \"192.168.0.0/24\", \"2001:db8::/48\")", TestName = "IPv4 prefix too long")]
    [TestCase("""[ { if = "local-ip", eq = "2001:db8::/129", then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0].eq: '2001:db8::/129' is not an IP address or a CIDR network (e.g. \"192.168.0.0/24\", \"2001:db8::/48\")", TestName = "IPv6 prefix too long")]
    [TestCase("""[ { if = "remote-ip", eq = "mx.example.org", then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0].eq: 'mx.example.org' is not an IP address or a CIDR network (e.g. \"192.168.0.0/24\", \"2001:db8::/48\")", TestName = "a name where an address belongs")]
    [TestCase("""[ { if = "sender", in-list = "blocked", then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0].in-list: expected \"<directory>/<lookup>\" (e.g. \"local/blocked-ips\"), found 'blocked'", TestName = "in-list without a directory")]
    [TestCase("""[ { if = "sender", not-in-list = "remote/blocked", then = "a" }, { else = "b" } ]""",
        "FILE:2: t.r[0].not-in-list: no [directory.remote] is defined", TestName = "in-list of an unknown directory")]
    [TestCase("""[ { if = "sender", matches = '^(a)', then = "${1}" }, { if = "rcpt", eq = "x", then = "${1}" }, { else = "b" } ]""",
        "FILE:2: t.r[1].then: ${1} refers to a group of a matches regex, but this block has no matches condition", TestName = "group reference without matches")]
    [TestCase("""[ { if = "sender", not-matches = '^(a)', then = "${1}" }, { else = "b" } ]""",
        "FILE:2: t.r[0].then: ${1} refers to a group of a matches regex, but this block has no matches condition", TestName = "group reference with only not-matches")]
    [TestCase("""[ { if = "sender", matches = '^(a)@(b)', then = "${1}${3}" }, { else = "b" } ]""",
        "FILE:2: t.r[0].then: ${3} refers to group 3, but the regex of this block has 2 group(s)", TestName = "group reference past the last group")]
    public void A_rule_error_names_the_key_path_and_the_line(string rule, string expected) =>
        Assert.That(Errors(rule), Is.EqualTo(new[] { expected }));

    [Test]
    public void A_then_of_the_wrong_type_is_an_error()
    {
        Assert.That(Errors("""[ { if = "sender", eq = "", then = "yes" }, { else = 0 } ]""", asBool: true), Is.EqualTo(new[]
        {
            "FILE:2: t.r[0].then: expected a boolean, found a string",
            "FILE:2: t.r[1].else: expected a boolean, found an integer",
        }));
    }

    [Test]
    public void Two_elses_are_two_errors()
    {
        Assert.That(Errors("""[ { if = "sender", eq = "", then = "a" }, { else = "b" }, { else = "c" } ]"""), Is.EqualTo(new[]
        {
            "FILE:2: t.r[1].else: else must be the last block of a rule; 1 block(s) follow it",
            "FILE:2: t.r[2].else: a rule has one else",
        }));
    }

    [Test]
    public void A_bad_regex_gives_the_regex_engine_reason()
    {
        var errors = Errors("""[ { if = "sender", matches = '^(unclosed', then = "a" }, { else = "b" } ]""");
        Assert.That(errors, Has.Length.EqualTo(1));
        Assert.That(errors[0], Does.StartWith("FILE:2: t.r[0].matches: '^(unclosed' is not a valid regular expression: "));
        Assert.That(errors[0], Does.Contain("Not enough )'s"));
    }

    [Test]
    public void An_unknown_lookup_list_names_the_lists_the_directory_has()
    {
        using var harness = new RuleHarness();
        harness.String(Directory + """
            [t]
            r = [ { if = "remote-ip", in-list = "local/blocked_ips", then = "a" },
                  { if = "remote-ip", in-list = "LOCAL/Blocked-IPs", then = "b" },
                  { else = "c" } ]
            """);
        Assert.That(harness.Messages, Is.EqualTo(new[]
        {
            "FILE:7: t.r[0].in-list: directory 'local' has no lookup list 'blocked_ips' (it has blocked-ips, vips)",
        }));
    }

    [Test]
    public void Errors_in_nested_blocks_give_their_own_path_and_line()
    {
        using var harness = new RuleHarness();
        harness.String("""
            [t]
            r = [ { any-of = [ { if = "remote-ip", eq = "10.0.0.0/8" },
                               { all-of = [ { if = "rcpt", starts-with = "no-reply@" },
                                            { none-of = [ { if = "listner", eq = "smtp" } ] } ] } ],
                    then = "a" },
                  { else = "b" } ]
            """);
        Assert.That(harness.Messages, Is.EqualTo(new[]
        {
            $"FILE:4: t.r[0].any-of[1].all-of[1].none-of[0].if: 'listner' is not a variable ({Variables})",
        }));
    }

    [Test]
    public void Every_error_of_a_rule_is_reported_not_just_the_first()
    {
        using var harness = new RuleHarness();
        harness.Bool("""
            [t]
            r = [ { if = "sender", eq = 1, then = true },
                  { if = "remote-ip", eq = "300.0.0.0/8", then = "yes" },
                  { if = "rcpt", matches = "[", then = false } ]
            """);
        Assert.That(harness.Messages.Select(m => m[..m.IndexOf(':', 5)] + " " + m.Split(": ")[1]), Is.EqualTo(new[]
        {
            "FILE:2 t.r[0].eq",
            "FILE:3 t.r[1].eq",
            "FILE:3 t.r[1].then",
            "FILE:4 t.r[2].matches",
            "FILE:2 t.r",
        }));
    }

    [Test]
    public void Nesting_deeper_than_the_bound_is_an_error_not_a_crash()
    {
        var nested = RuleEvaluationTests.Nested(RuleCompiler.MaxDepth + 1, "{ if = \"listener\", eq = \"mx\" }");
        using var harness = new RuleHarness();
        var rule = harness.Bool($"[t]\nr = [ {nested[..^1]}, then = true }}, {{ else = false }} ]\n");
        Assert.Multiple(() =>
        {
            Assert.That(harness.Messages.Single(), Does.StartWith("FILE:2: t.r[0].any-of[0]."));
            Assert.That(harness.Messages.Single(), Does.EndWith($": conditions are nested more than {RuleCompiler.MaxDepth} levels deep"));
            Assert.That(rule.Evaluate(new RuleContext { Listener = "mx" }), Is.False);
        });
    }

    [Test]
    public void Nesting_beyond_what_the_TOML_reader_accepts_is_a_syntax_error_not_a_crash()
    {
        var nested = RuleEvaluationTests.Nested(200, "{ if = \"listener\", eq = \"mx\" }");
        using var harness = new RuleHarness();
        harness.Bool($"[t]\nr = [ {nested[..^1]}, then = true }}, {{ else = false }} ]\n");
        Assert.That(harness.Messages.First(), Is.EqualTo("FILE:1: (syntax): arrays and tables are nested more than 128 levels deep"));
    }

    [Test]
    public void Rule_errors_come_out_of_the_settings_reader_with_the_setting_key()
    {
        using var dir = new TempDir();
        var (_, errors, path) = ConfigHelper.Read(dir, """
            [session]
            timeout = [ { if = "listener", eq = "mx", then = "soon" },
                        { else = "5m" } ]
            """);
        Assert.That(errors.Select(e => e.ToString()), Is.EqualTo(new[]
        {
            $"{path}:2: session.timeout[0].then: 'soon' is not a duration (e.g. \"500ms\", \"30s\", \"5m\", \"1h\", \"1d\")",
        }));
    }

    [Test]
    public void Check_lists_rule_and_directory_errors_together()
    {
        using var dir = new TempDir();
        var path = dir.File("sluice.toml", """
            [directory.local]
            type = "memory"
            domains = ["example.org"]
            colour = "blue"

            [session]
            timeout = [ { if = "remote-ip", in-list = "local/nothing", then = "1m" },
                        { else = "5m" } ]
            duration = [ { if = "sender", eq = "x", then = "1m" } ]
            """);
        var errors = SluiceServerApp.Check(ServerCommandLine.Parse(["--config", path]));
        Assert.That(errors.Select(e => e.ToString().Replace(path, "FILE", StringComparison.Ordinal)), Is.EqualTo(new[]
        {
            "FILE:4: directory.local.colour: unknown key",
            "FILE:7: session.timeout[0].in-list: directory 'local' has no lookup list 'nothing' (it has none)",
            "FILE:9: session.duration: a rule must end with an { else = <value> } block",
        }));
    }
}
