using System.Diagnostics;

namespace Sluice.Sieve.Cli;

/// <summary>
/// The host the CLI plays: a fixed or real clock, lists read from files (one entry a line), included
/// scripts from directories, environment items from the command line, external programs only when
/// allowed by path with --allow-program, nothing remembered for duplicate.
/// </summary>
internal sealed class CliHost(CliOptions options) : SieveHost
{
    public override DateTimeOffset Now => options.Now ?? DateTimeOffset.Now;

    public override string? GetEnvironmentItem(string name) =>
        options.Environment.TryGetValue(name, out string? value) ? value : null;

    public override bool IsValidList(string list) => FindList(list) is not null;

    public override bool? ListContains(string list, string value)
    {
        string? file = FindList(list);
        if (file is null)
        {
            return null;
        }
        foreach (string line in File.ReadLines(file))
        {
            if (string.Equals(line.Trim(), value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>--list NAME=FILE; a name may be given short (":addrbook:default") or as the full URN.</summary>
    private string? FindList(string list)
    {
        foreach ((string name, string file) in options.Lists)
        {
            string full = name.StartsWith(':') ? "urn:ietf:params:sieve" + name : name;
            if (string.Equals(full, list, StringComparison.OrdinalIgnoreCase))
            {
                return file;
            }
        }
        return null;
    }

    public override SieveExecuteResult? Execute(string program, IReadOnlyList<string> arguments, string? input)
    {
        if (!options.AllowedPrograms.Contains(program, StringComparer.Ordinal))
        {
            return null;
        }
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        if (input is not null)
        {
            process.StandardInput.Write(input);
        }
        process.StandardInput.Close();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            process.Kill(entireProcessTree: true);
            return new SieveExecuteResult(-1, "");
        }
        return new SieveExecuteResult(process.ExitCode, output.GetAwaiter().GetResult());
    }

    /// <summary>An included script: NAME.sieve in the personal or global directory.</summary>
    public static string? ResolveInclude(CliOptions options, string name, bool global)
    {
        string? dir = global ? options.GlobalDir : options.PersonalDir;
        if (dir is null)
        {
            return null;
        }
        string path = Path.Combine(dir, name + ".sieve");
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }
}
