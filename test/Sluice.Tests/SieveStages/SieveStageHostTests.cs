using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Sluice.Stages.Sieve;
using Sluice.Tests.Session;

namespace Sluice.Tests.SieveStages;

/// <summary>What the host gives stage scripts (SPEC §2.8): include, execute, duplicate, and MimeKit's parse at DATA.</summary>
[Parallelizable(ParallelScope.Children)]
public class SieveStageHostTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Test]
    public async Task Include_resolves_other_entries_of_sieve_scripts()
    {
        await using var server = await SessionServer.StartAsync("""
            [sieve.scripts]
            main = '''
            require ["include"];
            include :global "common";
            include :personal "local";
            '''
            common = '''
            require ["envelope", "reject"];
            if envelope :domain :is "from" "spam.example" { reject "550 5.7.1 common rule"; }
            '''
            local = '''
            require ["envelope", "reject"];
            if envelope :localpart :is "from" "bob" { reject "550 5.7.1 local rule"; }
            '''

            [session.mail]
            script = "main"
            """);
        await using var client = await server.ConnectAsync();
        Assert.That(await client.CommandAsync("MAIL FROM:<x@spam.example>"), Is.EqualTo("550 5.7.1 common rule"));
        Assert.That(await client.CommandAsync("MAIL FROM:<bob@client.example>"), Is.EqualTo("550 5.7.1 local rule"));
        Assert.That(await client.CommandAsync("MAIL FROM:<alice@client.example>"), Does.StartWith("250 2.1.0"));
    }

    [Test]
    public async Task Execute_runs_only_allowed_absolute_paths_without_a_shell_and_with_arguments_as_an_array()
    {
        await using var server = await SessionServer.StartAsync("""
            [sieve]
            allowed-programs = ["/bin/echo"]

            [sieve.scripts]
            rcpt = '''
            require ["vnd.sluice.execute", "variables", "reject", "envelope"];
            if envelope :localpart :is "to" "other" {
                if execute "/usr/bin/true" { reject "550 5.7.1 an unlisted program ran"; }
            } else {
                execute :output "out" "/bin/echo" ["one; two", "$HOME", "${envelope.to}"];
                reject "550 5.7.1 [${out}]";
            }
            '''

            [session.rcpt]
            script = "rcpt"

            [session.rcpt.errors]
            wait = 0
            """);
        await using var client = await server.ConnectAsync();
        Assert.That(await client.CommandAsync("MAIL FROM:<a@client.example>"), Does.StartWith("250 2.1.0"));
        Assert.That(await client.CommandAsync("RCPT TO:<b@mx.test.example>"), Does.StartWith("550 5.7.1 [one; two $HOME b@mx.test.example"));
        Assert.That(await client.CommandAsync("RCPT TO:<other@mx.test.example>"), Does.StartWith("250 2.1.5"), "a program not in allowed-programs does not run: the test is false");
    }

    [Test]
    public void A_program_over_its_timeout_is_killed()
    {
        var runner = new SieveProgramRunner(["/bin/sleep"], TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();
        var result = runner.Run("/bin/sleep", ["30"], input: null);
        Assert.Multiple(() =>
        {
            Assert.That(result, Is.Not.Null);
            Assert.That(result!.ExitCode, Is.EqualTo(-1));
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
            Assert.That(runner.Run("sleep", ["1"], null), Is.Null, "a relative name never runs");
            Assert.That(runner.Run("/bin/echo", ["x"], null), Is.Null, "a path not listed never runs");
        });
    }

    [Test]
    public void Duplicate_store_expires_entries_and_stays_bounded()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-04T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var store = new SieveDuplicateStore(time, capacity: 50);
        Assert.That(store.CheckAndRecord("h", "id", TimeSpan.FromMinutes(5)), Is.False);
        Assert.That(store.CheckAndRecord("h", "id", TimeSpan.FromMinutes(5)), Is.True);
        Assert.That(store.CheckAndRecord("other-handle", "id", TimeSpan.FromMinutes(5)), Is.False, "handles track separately");
        time.Advance(TimeSpan.FromMinutes(6));
        Assert.That(store.CheckAndRecord("h", "id", TimeSpan.FromMinutes(5)), Is.False, "expired");
        for (var i = 0; i < 500; i++)
        {
            store.CheckAndRecord("h", "id-" + i, TimeSpan.FromHours(1));
            Assert.That(store.Count, Is.LessThanOrEqualTo(50));
        }
        Assert.That(store.CheckAndRecord("h", "id-499", TimeSpan.FromHours(1)), Is.True, "the newest entries are kept");
    }

    [Test]
    public async Task A_message_MimeKit_cannot_parse_is_refused_550_5_7_7_when_a_data_script_needs_it()
    {
        await using var server = await SessionServer.StartAsync("""
            [sieve.scripts]
            data = "keep;"

            [session.data]
            script = [ { if = "sender", eq = "needs@client.example", then = "data" }, { else = false } ]
            """);
        await using var client = await server.ConnectAsync();
        const string broken = "no header here\r\n\r\nbody\r\n";
        Assert.That(await SessionServer.SendDataAsync(client, "needs@client.example", ["b@mx.test.example"], B(broken)), Does.StartWith("550 5.7.7"));
        Assert.That(server.QueueFiles(), Is.Empty);
        var id = SessionServer.IdOf(await SessionServer.SendDataAsync(client, "other@client.example", ["b@mx.test.example"], B(broken)));
        Assert.That(Encoding.UTF8.GetString(server.Eml(id)), Does.EndWith(broken), "without a DATA script the message streams to the store as before");
    }
}
