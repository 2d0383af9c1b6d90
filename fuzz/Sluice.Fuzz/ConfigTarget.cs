using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Sluice.Configuration;
using Sluice.Configuration.Layers;
using Sluice.Configuration.Settings;
using Sluice.Configuration.Toml;

namespace Sluice.Fuzz;

/// <summary>
/// The <c>config</c> target: arbitrary text as the TOML configuration file, through the TOML provider,
/// the whole settings reader (every section's validation, the rules in it, the Sieve scripts it
/// names) and, for a <c>[t]</c> section, the rule compiler for each value type with the rules then
/// evaluated against a session context. Configuration errors in the returned list are the documented
/// outcome; any exception is a finding.
/// </summary>
public static partial class ConfigTarget
{
    /// <summary>A full session context, as midway through RCPT.</summary>
    private static readonly RuleContext s_context = new()
    {
        RemoteIp = IPAddress.Parse("192.0.2.10"),
        RemotePort = 40000,
        LocalIp = IPAddress.Parse("2001:db8::25"),
        LocalPort = 25,
        Listener = "mx",
        HeloDomain = "Mail.Example.NET",
        Sender = "Jane.Doe@Example.ORG",
        Recipient = "bob+tag@example.com",
        AuthenticatedAs = "jane",
        Priority = 3,
        IsTls = true,
    };

    public static void Run(ReadOnlySpan<byte> input)
    {
        // `file://PATH` values read that file: a fuzzer must not read /dev/zero or the like, so the
        // scheme is defused (its error path stays covered by the test suite).
        string text = FileScheme().Replace(Encoding.UTF8.GetString(input), "fyle://");
        string path = ConfigFile();
        File.WriteAllText(path, text);
        try
        {
            Read(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void Read(string path)
    {
        var configuration = new ConfigurationBuilder().AddTomlFile(path).Build();
        var (settings, errors) = SluiceSettingsReader.Read(configuration);
        ArgumentNullException.ThrowIfNull(settings);
        CheckErrors(errors);

        var ruleErrors = new List<ConfigError>();
        var layers = configuration.Providers.Reverse().Select(ConfigLayer.For).ToList();
        var root = new ConfigSection(layers, [], ruleErrors);
        root.Directories = DirectorySettingsReader.Read(root.Section("directory"));
        var t = root.Section("t");
        Evaluate(t.StringRule("r", "fallback"));
        Evaluate(t.BoolRule("b", false));
        Evaluate(t.IntRule("i", -1));
        Evaluate(t.SizeRule("s", 0));
        Evaluate(t.DurationRule("d", TimeSpan.Zero));
        CheckErrors(ruleErrors);
    }

    private static void Evaluate<T>(Rule<T> rule)
    {
        _ = rule.Evaluate(s_context);
        _ = rule.Evaluate();
        _ = rule.ToString();
    }

    private static void CheckErrors(IReadOnlyList<ConfigError> errors)
    {
        foreach (var error in errors)
        {
            if (string.IsNullOrEmpty(error.Message) || string.IsNullOrEmpty(error.Key))
            {
                throw new FuzzFindingException($"a configuration error without a key or a message: {error}");
            }

            _ = error.ToString();
        }
    }

    /// <summary>A file of this process and thread (the test runner may replay inputs in parallel).</summary>
    private static string ConfigFile()
    {
        string dir = Environment.GetEnvironmentVariable("SLUICE_FUZZ_TMP") is { Length: > 0 } set
            ? set
            : Path.Combine(Path.GetTempPath(), "sluice-fuzz");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, $"config-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}.toml");
    }

    [GeneratedRegex("file://", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FileScheme();
}
