using Sluice.Configuration.Layers;
using Sluice.Configuration.Toml;

namespace Sluice.Configuration.Settings;

/// <summary>Reads <c>[session.auth]</c>.</summary>
internal static class AuthSettingsReader
{
    private static readonly string[] s_mechanisms = ["plain", "login", "oauthbearer", "xoauth2"];

    public static AuthSettings Read(ConfigSection section)
    {
        var errors = section.Section("errors");
        var oauth = section.Section("oauth");
        var settings = new AuthSettings
        {
            Mechanisms = section.Rule<IReadOnlyList<string>>("mechanisms", [], Mechanisms),
            Directory = section.StringRule("directory", string.Empty),
            Require = section.BoolRule("require", false),
            AllowPlainText = section.BoolRule("allow-plain-text", false),
            MustMatchSender = section.BoolRule("must-match-sender", true),
            ErrorsTotal = errors.IntRule("total", 3, 1),
            ErrorsWait = errors.Rule("wait", TimeSpan.FromSeconds(5), WaitOf),
            OAuth = new OAuthSettings
            {
                Issuer = oauth.OptionalString("issuer"),
                Audience = oauth.OptionalString("audience"),
                Key = oauth.OptionalString("key", allowFile: true),
                Jwks = oauth.OptionalString("jwks", allowFile: true),
            },
        };
        errors.ReportUnknown();
        oauth.ReportUnknown();
        section.ReportUnknown();
        return settings;
    }

    private static IReadOnlyList<string> Mechanisms(ConfigSection section, string key, ConfigNode node, IReadOnlyList<string> fallback)
    {
        if (node.Kind != ConfigNodeKind.Array)
        {
            section.Error(node, key, $"expected an array of mechanisms, found {node.TypeName}");
            return fallback;
        }
        var result = new List<string>();
        foreach (var item in node.Items!)
        {
            var name = item.Kind == ConfigNodeKind.String ? ((string)item.Scalar!).ToLowerInvariant() : null;
            if (name is null || !s_mechanisms.Contains(name))
            {
                section.Error(item, key, $"'{item.Scalar}' is not a mechanism (plain, login, oauthbearer, xoauth2)");
                continue;
            }
            result.Add(name);
        }
        return result;
    }

    private static TimeSpan WaitOf(ConfigSection section, string key, ConfigNode node, TimeSpan fallback)
    {
        if (node.Kind == ConfigNodeKind.Integer && (long)node.Scalar! >= 0)
        {
            return TimeSpan.FromMilliseconds((long)node.Scalar!);
        }
        if (node.Kind == ConfigNodeKind.String && Values.DurationValue.TryParse((string)node.Scalar!, out var parsed))
        {
            return parsed;
        }
        section.Error(node, key, $"expected a duration (e.g. \"5s\"), found {node.TypeName}");
        return fallback;
    }
}
