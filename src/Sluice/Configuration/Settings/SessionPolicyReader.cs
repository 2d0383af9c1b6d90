using System.Globalization;
using Sluice.Configuration.Layers;
using Sluice.Configuration.Rules;
using Sluice.Configuration.Toml;
using Sluice.Configuration.Values;

namespace Sluice.Configuration.Settings;

/// <summary>
/// Reads <see cref="SessionPolicySettings"/>: keys of <c>session.rcpt</c>, <c>session.mail</c>,
/// <c>session.extensions</c> and the <c>[[session.throttle]]</c> array. It reads through the same
/// section objects as <see cref="SluiceSettingsReader"/> so that unknown keys are still reported once.
/// </summary>
internal static class SessionPolicyReader
{
    private static readonly string[] s_throttleKeys = ["key", "match", "concurrency", "rate"];

    public static SessionPolicySettings Read(ConfigSection session, ConfigSection mail, ConfigSection rcpt, ConfigSection extensions)
    {
        var settings = new SessionPolicySettings
        {
            RcptDirectory = DirectoryRule(rcpt),
            Relay = rcpt.BoolRule("relay", false),
            RcptRewrite = rcpt.Rule<string?>("rewrite", null, StringOrFalse),
            MailRewrite = mail.Rule<string?>("rewrite", null, StringOrFalse),
            Vrfy = extensions.BoolRule("vrfy", false),
            Expn = extensions.BoolRule("expn", false),
            Dsn = extensions.BoolRule("dsn", false),
            FutureRelease = extensions.Rule<TimeSpan?>("future-release", null, DurationOrFalse),
            DeliverBy = extensions.Rule<TimeSpan?>("deliver-by", null, DurationOrFalse),
            MtPriority = extensions.Rule<MtPriorityPolicy?>("mt-priority", null, PolicyOrFalse),
            NoSoliciting = extensions.Rule<string?>("no-soliciting", null, StringOrFalse),
            Throttles = ReadThrottles(session),
        };
        return settings;
    }

    private static Rule<string> DirectoryRule(ConfigSection rcpt)
    {
        var rule = rcpt.StringRule("directory", string.Empty);
        foreach (var id in rule.StaticValues().Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (id.Length > 0 && !rcpt.Directories.TryGet(id, out _))
            {
                rcpt.Error(rcpt.Value("directory"), "directory", $"no [directory.{id}] is defined");
            }
        }
        return rule;
    }

    /// <summary>A string, or <c>false</c> for "off" (null).</summary>
    private static string? StringOrFalse(ConfigSection section, string key, ConfigNode node, string? fallback)
    {
        if (node.Kind == ConfigNodeKind.String)
        {
            return (string)node.Scalar!;
        }
        if (node.Kind == ConfigNodeKind.Boolean && !(bool)node.Scalar!)
        {
            return null;
        }
        section.Error(node, key, $"expected a string or false, found {Describe(node)}");
        return fallback;
    }

    private static TimeSpan? DurationOrFalse(ConfigSection section, string key, ConfigNode node, TimeSpan? fallback)
    {
        if (node.Kind == ConfigNodeKind.Boolean && !(bool)node.Scalar!)
        {
            return null;
        }
        if (node.Kind == ConfigNodeKind.String && DurationValue.TryParse((string)node.Scalar!, out var parsed) && parsed > TimeSpan.Zero)
        {
            return parsed;
        }
        if (node.Kind == ConfigNodeKind.Integer && (long)node.Scalar! > 0)
        {
            return TimeSpan.FromMilliseconds((long)node.Scalar!);
        }
        section.Error(node, key, $"expected a duration greater than zero (e.g. \"1d\") or false, found {Describe(node)}");
        return fallback;
    }

    private static MtPriorityPolicy? PolicyOrFalse(ConfigSection section, string key, ConfigNode node, MtPriorityPolicy? fallback)
    {
        if (node.Kind == ConfigNodeKind.Boolean && !(bool)node.Scalar!)
        {
            return null;
        }
        if (node.Kind == ConfigNodeKind.String)
        {
            switch (((string)node.Scalar!).ToUpperInvariant())
            {
                case "MIXER":
                    return MtPriorityPolicy.Mixer;
                case "STANAG4406":
                    return MtPriorityPolicy.Stanag4406;
                case "NSEP":
                    return MtPriorityPolicy.Nsep;
            }
        }
        section.Error(node, key, $"expected \"mixer\", \"stanag4406\", \"nsep\" or false, found {Describe(node)}");
        return fallback;
    }

    private static string Describe(ConfigNode node) =>
        node.Kind is ConfigNodeKind.String or ConfigNodeKind.Boolean or ConfigNodeKind.Integer
            ? string.Create(CultureInfo.InvariantCulture, $"{node.TypeName} {FormatScalar(node)}")
            : node.TypeName;

    private static string FormatScalar(ConfigNode node) => node.Scalar switch
    {
        string s => "'" + s + "'",
        bool b => b ? "true" : "false",
        var other => Convert.ToString(other, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private static List<ThrottleSettings> ReadThrottles(ConfigSection session)
    {
        var result = new List<ThrottleSettings>();
        var node = session.Value("throttle");
        if (node is null)
        {
            return result;
        }
        if (node.Kind != ConfigNodeKind.Array)
        {
            session.Error(node, "throttle", $"expected an array of tables ([[session.throttle]]), found {node.TypeName}");
            return result;
        }
        for (var i = 0; i < node.Items!.Count; i++)
        {
            var item = node.Items[i];
            var path = string.Create(CultureInfo.InvariantCulture, $"throttle[{i}]");
            if (item.Kind != ConfigNodeKind.Table)
            {
                session.Error(item, path, $"expected a table with key, match, concurrency, rate; found {item.TypeName}");
                continue;
            }
            if (ReadThrottle(session, item, path) is { } throttle)
            {
                result.Add(throttle);
            }
        }
        return result;
    }

    private static ThrottleSettings? ReadThrottle(ConfigSection session, ConfigNode item, string path)
    {
        var ok = true;
        foreach (var (key, value) in item.Members!)
        {
            if (!s_throttleKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                session.Error(value, path + "." + key, "unknown key (a throttle has key, match, concurrency, rate)");
                ok = false;
            }
        }

        var variables = new List<RuleVariable>();
        if (item.Members.TryGetValue("key", out var keyNode))
        {
            var keys = keyNode.Kind == ConfigNodeKind.Array ? keyNode.Items! : keyNode.Kind == ConfigNodeKind.String ? [keyNode] : null;
            if (keys is null)
            {
                session.Error(keyNode, path + ".key", $"expected an array of variable names, found {keyNode.TypeName}");
                ok = false;
            }
            else
            {
                foreach (var k in keys)
                {
                    if (k.Kind == ConfigNodeKind.String && RuleVariables.TryParse((string)k.Scalar!, out var variable))
                    {
                        if (!variables.Contains(variable))
                        {
                            variables.Add(variable);
                        }
                    }
                    else
                    {
                        session.Error(k, path + ".key", $"'{k.Scalar}' is not a variable ({string.Join(", ", RuleVariables.Names)})");
                        ok = false;
                    }
                }
            }
        }

        RuleCondition? match = null;
        if (item.Members.TryGetValue("match", out var matchNode))
        {
            match = new RuleCompiler(session, session.Directories).CompileCondition(path + ".match", matchNode);
            ok &= match is not null;
        }

        int? concurrency = null;
        if (item.Members.TryGetValue("concurrency", out var concurrencyNode))
        {
            if (concurrencyNode.Kind == ConfigNodeKind.Integer && (long)concurrencyNode.Scalar! is >= 1 and <= int.MaxValue)
            {
                concurrency = (int)(long)concurrencyNode.Scalar!;
            }
            else
            {
                session.Error(concurrencyNode, path + ".concurrency", $"expected an integer of at least 1, found {Describe(concurrencyNode)}");
                ok = false;
            }
        }

        RateValue? rate = null;
        if (item.Members.TryGetValue("rate", out var rateNode))
        {
            if (rateNode.Kind == ConfigNodeKind.String && RateValue.TryParse((string)rateNode.Scalar!, out var parsed))
            {
                rate = parsed;
            }
            else
            {
                session.Error(rateNode, path + ".rate", $"expected a rate such as \"100/1s\", found {Describe(rateNode)}");
                ok = false;
            }
        }

        if (concurrency is null && rate is null && ok)
        {
            session.Error(item, path, "a throttle needs concurrency, rate or both");
            ok = false;
        }
        return ok ? new ThrottleSettings { Name = "session." + path, Key = variables, Match = match, Concurrency = concurrency, Rate = rate } : null;
    }
}
