using BenchmarkDotNet.Attributes;
using Sluice.Stages.Throttles;

namespace Sluice.Benchmarks;

/// <summary>
/// What a throttle costs a session: a token taken from a hot key (one client hammering), a token for
/// a new key each time (a spread of clients; includes the bucket's creation and the sweeps), and a
/// concurrency place taken and given back.
/// </summary>
[MemoryDiagnoser]
public class ThrottleBenchmarks
{
    private readonly string[] _keys = [.. Enumerable.Range(0, 1 << 16).Select(i => "10.1." + (i >> 8) + "." + (i & 255))];
    private KeyedRateLimiter _rate = null!;
    private KeyedConcurrencyLimiter _concurrency = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _rate = new KeyedRateLimiter(int.MaxValue, TimeSpan.FromSeconds(1), TimeProvider.System);
        _concurrency = new KeyedConcurrencyLimiter(int.MaxValue);
    }

    [Benchmark]
    public bool RateHotKey() => _rate.TryAcquire("10.0.0.1");

    [Benchmark]
    public bool RateSpreadKeys() => _rate.TryAcquire(_keys[_next++ & ((1 << 16) - 1)]);

    [Benchmark]
    public void ConcurrencyAcquireRelease()
    {
        _concurrency.TryAcquire("10.0.0.1");
        _concurrency.Release("10.0.0.1");
    }
}
