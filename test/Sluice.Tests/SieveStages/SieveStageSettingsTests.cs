using Sluice.Configuration;
using Sluice.Tests.Configuration;
using Sluice.Tests.Support;

namespace Sluice.Tests.SieveStages;

/// <summary><c>[sieve]</c> and the <c>session.&lt;stage&gt;.script</c> rules (SPEC §2.8): compiled at start-up, errors located.</summary>
public class SieveStageSettingsTests
{
    [Test]
    public async Task Check_lists_every_script_with_a_compile_error_with_line_and_column_and_exits_1()
    {
        using var dir = new TempDir();
        dir.File("bad.sieve", "require \"fileinto\";\nif true {\n  fileinto;\n}\n");
        dir.File("sluice.toml", """
            [sieve.scripts]
            good = "keep;"
            broken = '''
            keep;
            frobnicate "x";'''
            from-file = "file://bad.sieve"

            [session.rcpt]
            script = "good"
            """);
        var (exit, stdout, stderr) = await CheckCommandTests.RunServerAsync(dir.Path, "--config", "sluice.toml", "--check");
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(stdout, Is.Empty);
            Assert.That(lines.Where(l => l.Contains("sieve.scripts.broken", StringComparison.Ordinal)).ToList(), Has.Count.GreaterThanOrEqualTo(1));
            Assert.That(lines, Has.Some.Match(@"^sluice\.toml:3: sieve\.scripts\.broken: line 2, column 1: .*frobnicate"));
            Assert.That(lines, Has.Some.Match(@"^sluice\.toml:6: sieve\.scripts\.from-file: line 3, column \d+: "));
            Assert.That(lines, Has.None.Contain("sieve.scripts.good"));
        });
    }

    [Test]
    public void Limits_programs_and_stage_rules_are_read()
    {
        using var dir = new TempDir();
        var settings = ConfigHelper.ReadValid(dir, """
            [sieve]
            allowed-programs = ["/usr/bin/true"]

            [sieve.limits]
            cpu = 900
            nested-includes = 2
            redirects = 4

            [sieve.scripts]
            a = 'require "include"; include :personal "b";'
            b = "keep;"

            [session.connect]
            script = [ { if = "remote-ip", eq = "10.0.0.0/8", then = "a" }, { else = false } ]
            [session.ehlo]
            script = "b"
            [session.mail]
            script = false
            [session.rcpt]
            script = "a"
            [session.data]
            script = "b"
            """);
        var sieve = settings.Sieve;
        Assert.Multiple(() =>
        {
            Assert.That(sieve.Limits.CpuInstructions, Is.EqualTo(900));
            Assert.That(sieve.Limits.NestedIncludes, Is.EqualTo(2));
            Assert.That(sieve.Limits.Redirects, Is.EqualTo(4));
            Assert.That(sieve.Extensions.IncludeMaxNesting, Is.EqualTo(2));
            Assert.That(sieve.AllowedPrograms, Is.EqualTo(new[] { "/usr/bin/true" }));
            Assert.That(sieve.Scripts.Keys, Is.EquivalentTo(new[] { "a", "b" }));
            Assert.That(sieve.Stages.Connect.Evaluate(), Is.Null);
            Assert.That(sieve.Stages.Ehlo.Evaluate(), Is.EqualTo("b"));
            Assert.That(sieve.Stages.Mail.Evaluate(), Is.Null);
            Assert.That(sieve.Stages.Rcpt.Evaluate(), Is.EqualTo("a"));
            Assert.That(sieve.Stages.Data.Evaluate(), Is.EqualTo("b"));
        });
    }

    [Test]
    public void Unknown_script_names_relative_programs_and_wrong_types_are_errors()
    {
        using var dir = new TempDir();
        var (_, errors, _) = ConfigHelper.Read(dir, """
            [sieve]
            allowed-programs = ["bin/tool"]

            [sieve.scripts]
            a = "keep;"

            [session.rcpt]
            script = "nope"
            [session.data]
            script = true
            [session.mail]
            script = [ { if = "sender", eq = "x@y", then = "missing" }, { else = "a" } ]
            """);
        var text = errors.Select(e => e.ToString()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(text, Has.Some.Match(@"sluice\.toml:2: sieve\.allowed-programs: 'bin/tool' is not an absolute path"));
            Assert.That(text, Has.Some.Match(@"sluice\.toml:8: session\.rcpt\.script: no sieve\.scripts\.nope is defined"));
            Assert.That(text, Has.Some.Match(@"sluice\.toml:10: session\.data\.script: expected a script name or false"));
            Assert.That(text, Has.Some.Contain("no sieve.scripts.missing is defined"));
            Assert.That(errors, Has.Count.EqualTo(4));
        });
    }
}
