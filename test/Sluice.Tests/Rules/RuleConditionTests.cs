using System.Net;
using Sluice.Configuration;
using Sluice.Configuration.Layers;

namespace Sluice.Tests.Rules;

/// <summary>
/// A single condition block without then/else, as a throttle's <c>match</c> is written (SPEC §2.6):
/// compiled by the same compiler, tested with <see cref="RuleCondition.IsTrue"/>.
/// </summary>
public class RuleConditionTests
{
    [Test]
    public void A_single_block_compiles_to_a_condition()
    {
        using var harness = new RuleHarness();
        var condition = harness.Section("""
            [t]
            match = { all-of = [ { if = "remote-ip", eq = "192.0.2.0/24" }, { if = "rcpt-domain", ne = "example.org" } ] }
            """).Condition("match");
        Assert.That(harness.Messages, Is.Empty);
        Assert.Multiple(() =>
        {
            Assert.That(condition!.IsTrue(new RuleContext { RemoteIp = IPAddress.Parse("192.0.2.9"), Recipient = "a@example.net" }), Is.True);
            Assert.That(condition.IsTrue(new RuleContext { RemoteIp = IPAddress.Parse("192.0.2.9"), Recipient = "a@Example.org" }), Is.False);
            Assert.That(condition.DependsOn(RuleVariable.RemoteIp) && condition.DependsOn(RuleVariable.RecipientDomain), Is.True);
            Assert.That(condition.DependsOn(RuleVariable.Recipient), Is.False);
        });
    }

    [Test]
    public void An_absent_condition_is_null()
    {
        using var harness = new RuleHarness();
        Assert.That(harness.Section("[t]\nx = 1\n").Condition("match"), Is.Null);
    }

    [Test]
    public void A_condition_has_no_then_and_must_be_a_block()
    {
        using var harness = new RuleHarness();
        var section = harness.Section("""
            [t]
            match = { if = "listener", eq = "mx", then = true }
            other = "listener"
            """);
        Assert.Multiple(() =>
        {
            Assert.That(section.Condition("match"), Is.Null);
            Assert.That(section.Condition("other"), Is.Null);
        });
        Assert.That(harness.Messages, Is.EqualTo(new[]
        {
            "FILE:2: t.match.then: then belongs to the outermost blocks of a rule, not to a condition",
            "FILE:3: t.other: expected a condition block (an inline table such as { if = \"remote-ip\", eq = \"10.0.0.0/8\" }), found a string",
        }));
    }
}
