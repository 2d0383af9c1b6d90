using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;
using Sluice.Configuration;
using Sluice.Configuration.Settings;
using Sluice.Configuration.Toml;
using Sluice.Stages.Throttles;

namespace Sluice.Tests.Surface;

/// <summary>The throttle building blocks on a fake clock (SPEC §2.6).</summary>
public class ThrottleUnitTests
{
    [Test]
    public void A_rate_allows_its_count_per_period_and_refills_as_time_passes()
    {
        var clock = new FakeTimeProvider();
        var rate = new KeyedRateLimiter(3, TimeSpan.FromMinutes(1), clock);
        Assert.That(Enumerable.Range(0, 4).Select(_ => rate.TryAcquire("10.0.0.1")), Is.EqualTo(new[] { true, true, true, false }));
        Assert.That(rate.TryAcquire("10.0.0.2"), Is.True, "each key has its own bucket");
        clock.Advance(TimeSpan.FromSeconds(19));
        Assert.That(rate.TryAcquire("10.0.0.1"), Is.False, "a third of the period refills one token: not yet");
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(rate.TryAcquire("10.0.0.1"), Is.True);
        Assert.That(rate.TryAcquire("10.0.0.1"), Is.False);
        clock.Advance(TimeSpan.FromHours(5));
        Assert.That(Enumerable.Range(0, 4).Select(_ => rate.TryAcquire("10.0.0.1")), Is.EqualTo(new[] { true, true, true, false }), "a long pause refills to the count, not beyond");
    }

    [Test]
    public void A_million_distinct_keys_keep_memory_bounded()
    {
        var clock = new FakeTimeProvider();
        var rate = new KeyedRateLimiter(1, TimeSpan.FromSeconds(1), clock, maxKeys: 10_000);
        var most = 0;
        var refused = 0;
        for (var i = 0; i < 1_000_000; i++)
        {
            refused += rate.TryAcquire("key-" + i) ? 0 : 1;
            most = Math.Max(most, rate.TrackedKeys);
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }
        Assert.That(refused, Is.Zero, "every key is new: each has a full bucket");
        Assert.That(most, Is.LessThanOrEqualTo(10_000));
        Assert.That(rate.TrackedKeys, Is.LessThanOrEqualTo(2_001), "buckets idle for a period are dropped: about one period of keys stays");
    }

    [Test]
    public void A_flood_of_keys_within_one_period_is_cut_to_the_cap()
    {
        var clock = new FakeTimeProvider();
        var rate = new KeyedRateLimiter(5, TimeSpan.FromHours(1), clock, maxKeys: 1_000);
        var most = 0;
        for (var i = 0; i < 100_000; i++)
        {
            rate.TryAcquire("key-" + i);
            most = Math.Max(most, rate.TrackedKeys);
        }
        Assert.That(most, Is.LessThanOrEqualTo(1_000));
        Assert.That(rate.TryAcquire("key-99999"), Is.True, "a key still tracked keeps its bucket (5 per hour, one used)");
    }

    [Test]
    public void Concurrency_counts_holders_and_forgets_a_key_when_its_last_holder_leaves()
    {
        var limiter = new KeyedConcurrencyLimiter(2);
        Assert.That(limiter.TryAcquire("a"), Is.True);
        Assert.That(limiter.TryAcquire("a"), Is.True);
        Assert.That(limiter.TryAcquire("a"), Is.False);
        Assert.That(limiter.TryAcquire("b"), Is.True);
        limiter.Release("a");
        Assert.That(limiter.TryAcquire("a"), Is.True);
        limiter.Release("a");
        limiter.Release("a");
        limiter.Release("b");
        Assert.That(limiter.TrackedKeys, Is.Zero);
    }

    [Test]
    public void Concurrency_holds_under_parallel_use()
    {
        var limiter = new KeyedConcurrencyLimiter(5);
        var inside = 0;
        var most = 0;
        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            if (limiter.TryAcquire("k"))
            {
                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref most, now);
                Interlocked.Decrement(ref inside);
                limiter.Release("k");
            }
        });
        Assert.That(most, Is.InRange(1, 5));
        Assert.That(limiter.TrackedKeys, Is.Zero);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var i = 0; i < 1000; i++)
        {
            var current = Volatile.Read(ref target);
            if (value <= current || Interlocked.CompareExchange(ref target, value, current) == current)
            {
                return;
            }
        }
    }

    [TestCase("key = [\"remote-ip\"]", ThrottleStage.Connect)]
    [TestCase("key = [\"listener\", \"local-port\"]", ThrottleStage.Connect)]
    [TestCase("", ThrottleStage.Connect)]
    [TestCase("key = [\"helo-domain\"]", ThrottleStage.Ehlo)]
    [TestCase("key = [\"remote-ip\", \"sender-domain\"]", ThrottleStage.Mail)]
    [TestCase("key = [\"authenticated-as\"]", ThrottleStage.Mail)]
    [TestCase("key = [\"remote-ip\"]\nmatch = { if = \"rcpt-domain\", eq = \"example.org\" }", ThrottleStage.Rcpt)]
    public void A_throttle_runs_at_the_first_stage_where_its_keys_and_match_are_known(string entry, ThrottleStage stage)
    {
        var settings = Read("[[session.throttle]]\n" + entry + "\nrate = \"10/1s\"");
        var throttle = new Throttle(settings.Session.Policy.Throttles.Single(), new FakeTimeProvider());
        Assert.That(throttle.Stage, Is.EqualTo(stage));
    }

    [TestCase("key = [\"remote-ip\"]", "session.throttle[0]: a throttle needs concurrency, rate or both")]
    [TestCase("key = [\"nope\"]\nrate = \"1/1s\"", "session.throttle[0].key: 'nope' is not a variable")]
    [TestCase("rate = \"fast\"", "session.throttle[0].rate: expected a rate such as \"100/1s\"")]
    [TestCase("concurrency = 0", "session.throttle[0].concurrency: expected an integer of at least 1")]
    [TestCase("concurrency = 1\nburst = 3", "session.throttle[0].burst: unknown key")]
    [TestCase("concurrency = 1\nmatch = { if = \"remote-ip\", eq = \"10.0.0.0/33\" }", "session.throttle[0].match")]
    public void Bad_throttles_are_errors_naming_the_key(string entry, string message)
    {
        var (_, errors) = ReadWithErrors("[[session.throttle]]\n" + entry);
        Assert.That(errors.Select(e => e.ToString()), Has.Some.Contains(message));
    }

    private static SluiceSettings Read(string toml)
    {
        var (settings, errors) = ReadWithErrors(toml);
        Assert.That(errors, Is.Empty);
        return settings;
    }

    private static (SluiceSettings, IReadOnlyList<ConfigError>) ReadWithErrors(string toml)
    {
        var path = Path.Combine(Path.GetTempPath(), "sluice-throttle-" + Guid.NewGuid().ToString("N") + ".toml");
        File.WriteAllText(path, toml);
        try
        {
            var configuration = new ConfigurationBuilder().AddTomlFile(path).Build();
            return SluiceSettingsReader.Read(configuration);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
