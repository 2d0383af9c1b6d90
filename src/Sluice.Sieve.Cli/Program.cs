using System.Text;
using Sluice.Sieve;
using Sluice.Sieve.Cli;

// sluice-sieve: compile a Sieve script, and run it on a message with an envelope, as Sluice would.
return SieveCli.Run(args, Console.Out, Console.Error);

internal static class SieveCli
{
    public static int Run(string[] args, TextWriter output, TextWriter errors)
    {
        CliOptions? options = CliOptions.Parse(args, out string? usageError);
        if (options is null)
        {
            errors.WriteLine($"sluice-sieve: {usageError}");
            errors.WriteLine(CliOptions.Usage);
            return 64;
        }
        string scriptPath = options.Script!;
        if (!File.Exists(scriptPath))
        {
            errors.WriteLine($"sluice-sieve: script file '{scriptPath}' not found");
            return 64;
        }
        var settings = new SieveSettings
        {
            IncludeMaxNesting = options.NestedIncludes,
            IncludeResolver = (name, global) => CliHost.ResolveInclude(options, name, global),
        };
        var compileOptions = new SieveCompileOptions
        {
            Settings = settings,
            VariableNamespaces = new HashSet<string>(
                options.Variables.Keys.Select(k => k.Split('.')[0]).Append("env").Append("envelope"), StringComparer.OrdinalIgnoreCase),
        };
        SieveCompileResult compiled = SieveCompiler.Compile(File.ReadAllText(scriptPath), compileOptions);
        foreach (SieveError diagnostic in compiled.Diagnostics)
        {
            errors.WriteLine($"{scriptPath}:{diagnostic}");
        }
        if (compiled.Script is not { } script)
        {
            errors.WriteLine($"{scriptPath}: {compiled.Errors.Count} error(s)");
            return 1;
        }
        if (options.Command == "check")
        {
            output.WriteLine($"{scriptPath}: OK (requires: {string.Join(", ", script.RequiredExtensions)})");
            return 0;
        }
        if (!File.Exists(options.MessageFile))
        {
            errors.WriteLine($"sluice-sieve: message file '{options.MessageFile}' not found");
            return 64;
        }
        byte[] raw = File.ReadAllBytes(options.MessageFile!);
        var envelope = new SieveEnvelope { From = options.From ?? "", To = options.To, Auth = options.Auth };
        var variables = new Dictionary<string, string>(options.Variables, StringComparer.OrdinalIgnoreCase)
        {
            ["envelope.from"] = envelope.From ?? "",
            ["envelope.to"] = envelope.To.Count > 0 ? envelope.To[^1] : "",
        };
        SieveResult result = SieveInterpreter.Run(script, new SieveRunContext
        {
            Message = new SimpleSieveMessage(raw),
            Envelope = envelope,
            Host = new CliHost(options),
            Limits = new SieveLimits { CpuInstructions = options.Cpu, Redirects = options.Redirects, NestedIncludes = options.NestedIncludes },
            Settings = settings,
            NamespaceVariables = variables,
        });
        foreach (SieveError warning in result.Warnings)
        {
            errors.WriteLine($"{scriptPath}:{warning}");
        }
        if (result.Error is { } error)
        {
            string kind = result.Status == SieveRunStatus.BudgetExhausted ? "CPU limit" : "runtime error";
            errors.WriteLine($"{scriptPath}:{error.Line}:{error.Column}: {kind}: {error.Message}");
        }
        output.WriteLine($"status: {result.Status} ({result.InstructionsUsed} instructions)");
        output.WriteLine("actions:");
        foreach (SieveAction action in result.Actions)
        {
            output.WriteLine("  " + Describe(action));
        }
        if (result.EditedBytes is { } edited)
        {
            if (options.OutputFile is not null)
            {
                File.WriteAllBytes(options.OutputFile, edited.ToArray());
                output.WriteLine($"edited message written to {options.OutputFile}");
            }
            else
            {
                output.WriteLine("edited message:");
                output.Write(Encoding.UTF8.GetString(edited.Span));
            }
        }
        return result.Status == SieveRunStatus.Completed ? 0 : 2;
    }

    private static string Describe(SieveAction action)
    {
        string flags(IReadOnlyList<string> f) => f.Count == 0 ? "" : $" flags [{string.Join(' ', f)}]";
        string edited = action.Message is null ? "" : " (edited message)";
        return action switch
        {
            KeepAction k => (k.Implicit ? "keep (implicit)" : "keep") + flags(k.Flags) + edited,
            FileIntoAction f => $"fileinto \"{f.Mailbox}\"{flags(f.Flags)}{(f.Copy ? " :copy" : "")}{(f.Create ? " :create" : "")}{edited}",
            RedirectAction r => $"redirect{(r.IsList ? " :list" : "")} \"{r.Address}\"{(r.Copy ? " :copy" : "")}" +
                (r.Notify is null ? "" : $" notify {r.Notify}") + (r.Ret is null ? "" : $" ret {r.Ret}") +
                (r.ByTime is null ? "" : $" by {r.ByTime}s {r.ByMode}{(r.ByTrace ? " trace" : "")}") + edited,
            RejectAction j => $"{j.Name} \"{j.Reason}\"",
            _ => action.Name,
        };
    }
}
