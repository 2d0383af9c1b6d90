using System.Net;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Configuration;
using Sluice.Configuration;
using Sluice.Configuration.Settings;

namespace Sluice.Benchmarks;

/// <summary>
/// Evaluating a compiled rule of five conditions — a CIDR, two string comparisons under all-of, a
/// regex and a suffix — as a session does at each stage. The rule comes through the real settings
/// reader (as an in-memory layer, like an environment variable). Target: 0 bytes allocated.
/// </summary>
[MemoryDiagnoser]
public class RuleEvaluationBenchmarks
{
    private const string FiveConditions = """
        [ { if = "remote-ip", eq = "10.0.0.0/8", then = "1m" },
          { all-of = [ { if = "listener", eq = "submission" }, { if = "is-tls", eq = "true" } ], then = "10m" },
          { if = "sender", matches = '^[^@]+@(example|test)\.(org|net)$', then = "2m" },
          { if = "helo-domain", ends-with = ".example.com", then = "3m" },
          { else = "5m" } ]
        """;

    private Rule<TimeSpan> _rule = null!;
    private Rule<TimeSpan> _constant = null!;
    private RuleContext _missesAll = null!;
    private RuleContext _regexHit = null!;
    private RuleContext _cidrHit = null!;

    [GlobalSetup]
    public void Setup()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["session:timeout"] = FiveConditions,
                ["session:duration"] = "10m",
            })
            .Build();
        var settings = SluiceSettingsReader.ReadOrThrow(configuration);
        _rule = settings.Session.Timeout;
        _constant = settings.Session.Duration;

        // Every condition is tested and fails: the longest path, ending at else.
        _missesAll = new RuleContext
        {
            RemoteIp = IPAddress.Parse("2001:db8::7"),
            RemotePort = 51234,
            Listener = "mx",
            IsTls = true,
            HeloDomain = "mail.example.net",
            Sender = "someone@elsewhere.example",
        };
        // The regex (the fourth condition) decides.
        _regexHit = new RuleContext
        {
            RemoteIp = IPAddress.Parse("192.0.2.44"),
            Listener = "mx",
            HeloDomain = "mail.example.net",
            Sender = "jane.doe@example.org",
        };
        // The CIDR (the first condition) decides.
        _cidrHit = new RuleContext { RemoteIp = IPAddress.Parse("10.20.30.40"), Listener = "mx" };

        if (_rule.Evaluate(_missesAll) != TimeSpan.FromMinutes(5)
            || _rule.Evaluate(_regexHit) != TimeSpan.FromMinutes(2)
            || _rule.Evaluate(_cidrHit) != TimeSpan.FromMinutes(1))
        {
            throw new InvalidOperationException("the benchmark rule does not evaluate as expected");
        }
    }

    [Benchmark(Baseline = true)]
    public TimeSpan Constant() => _constant.Evaluate(_missesAll);

    [Benchmark]
    public TimeSpan FiveConditions_AllMiss() => _rule.Evaluate(_missesAll);

    [Benchmark]
    public TimeSpan FiveConditions_RegexHit() => _rule.Evaluate(_regexHit);

    [Benchmark]
    public TimeSpan FiveConditions_CidrHit() => _rule.Evaluate(_cidrHit);
}
