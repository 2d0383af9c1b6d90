using Sluice.Configuration.Layers;
using Sluice.Configuration.Toml;
using Sluice.Directories;
using Sluice.Sieve;

namespace Sluice.Configuration.Settings;

/// <summary>
/// Reads <c>[sieve]</c> (SPEC §2.8): compiles every <c>sieve.scripts.&lt;name&gt;</c> at start-up and
/// reports each compile error as <c>sieve.scripts.&lt;name&gt;: line L, column C: message</c>; then
/// the <c>session.&lt;stage&gt;.script</c> rules, whose names must be scripts of that table.
/// </summary>
internal static class SieveSettingsReader
{
    /// <summary>Variable namespaces a script at an SMTP stage may read.</summary>
    public static IReadOnlySet<string> Namespaces { get; } = new HashSet<string>(["env", "envelope"], StringComparer.OrdinalIgnoreCase);

    public static SieveScriptSettings Read(ConfigSection section)
    {
        var limitsSection = section.Section("limits");
        var limits = new SieveLimits
        {
            CpuInstructions = limitsSection.Integer("cpu", 5000, 1),
            NestedIncludes = (int)limitsSection.Integer("nested-includes", 3, 0, 100),
            Redirects = (int)limitsSection.Integer("redirects", 1, 0, 1000),
        };
        limitsSection.ReportUnknown();

        var programs = new List<string>();
        foreach (var program in section.StringArray("allowed-programs", []))
        {
            if (Path.IsPathFullyQualified(program))
            {
                programs.Add(program);
            }
            else
            {
                section.Error(section.Value("allowed-programs"), "allowed-programs", $"'{program}' is not an absolute path");
            }
        }

        var scriptsSection = section.Section("scripts");
        var texts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in scriptsSection.Keys())
        {
            if (scriptsSection.OptionalString(name, allowFile: true) is { } text)
            {
                texts[name] = text;
            }
        }
        var directories = section.Directories;
        var extensions = Sieve.SieveSettings.Default with
        {
            IncludeMaxNesting = limits.NestedIncludes,
            IncludeResolver = (name, _) => texts.TryGetValue(name, out var included) ? included : null,
            IsValidList = list => IsValidList(directories, list),
        };
        var options = new SieveCompileOptions { Settings = extensions, VariableNamespaces = Namespaces };
        var scripts = new Dictionary<string, SieveScript>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, text) in texts)
        {
            var compiled = SieveCompiler.Compile(text, options);
            if (compiled.Script is { } script)
            {
                scripts[name] = script;
                continue;
            }
            foreach (var error in compiled.Errors)
            {
                scriptsSection.Error(scriptsSection.Value(name), name, $"line {error.Line}, column {error.Column}: {error.Message}");
            }
        }
        section.ReportUnknown();
        return new SieveScriptSettings
        {
            Scripts = scripts,
            Texts = texts,
            Limits = limits,
            Extensions = extensions,
            AllowedPrograms = programs,
        };
    }

    /// <summary>Reads <c>script</c> of each stage section into <paramref name="sieve"/>. The sections are
    /// the session reader's own, so that the key counts as known there.</summary>
    public static void ReadStages(SieveScriptSettings sieve, ConfigSection connect, ConfigSection ehlo, ConfigSection mail, ConfigSection rcpt, ConfigSection data)
    {
        sieve.Stages = new SieveStageScripts
        {
            Connect = ScriptRule(connect, sieve),
            Ehlo = ScriptRule(ehlo, sieve),
            Mail = ScriptRule(mail, sieve),
            Rcpt = ScriptRule(rcpt, sieve),
            Data = ScriptRule(data, sieve),
        };
    }

    /// <summary>"&lt;directory&gt;/&lt;lookup&gt;" names a lookup list of a configured directory.</summary>
    public static bool IsValidList(DirectoryRegistry directories, string list) =>
        TryGetList(directories, list, out _);

    public static bool TryGetList(DirectoryRegistry directories, string list, out ILookupList? lookup)
    {
        lookup = null;
        var slash = list.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && directories.TryGet(list[..slash], out var directory)
            && directory.TryGetLookup(list[(slash + 1)..], out lookup);
    }

    private static Rule<string?> ScriptRule(ConfigSection section, SieveScriptSettings sieve) =>
        section.Rule<string?>("script", null, (s, key, node, fallback) =>
        {
            if (node.Kind == ConfigNodeKind.Boolean && !(bool)node.Scalar!)
            {
                return null;
            }
            if (node.Kind != ConfigNodeKind.String)
            {
                s.Error(node, key, $"expected a script name or false, found {node.TypeName}");
                return fallback;
            }
            var name = (string)node.Scalar!;
            if (!sieve.Texts.ContainsKey(name))
            {
                s.Error(node, key, $"no sieve.scripts.{name} is defined");
                return fallback;
            }
            return name;
        }, static text => text);
}
