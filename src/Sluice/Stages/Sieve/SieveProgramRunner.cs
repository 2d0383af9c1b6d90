using System.Diagnostics;
using System.Text;
using Sluice.Sieve;

namespace Sluice.Stages.Sieve;

/// <summary>
/// <c>vnd.sluice.execute</c>: runs one of the programs listed in <c>sieve.allowed-programs</c>
/// (absolute paths, compared exactly), with no shell, its arguments as an array, the input on
/// stdin, and a timeout after which the process tree is killed. Output is kept up to a bound.
/// </summary>
internal sealed class SieveProgramRunner(IReadOnlyList<string> allowed, TimeSpan timeout)
{
    public const int MaxOutputChars = 64 * 1024;

    public SieveExecuteResult? Run(string program, IReadOnlyList<string> arguments, string? input)
    {
        if (!Path.IsPathFullyQualified(program) || !allowed.Contains(program, StringComparer.Ordinal))
        {
            return null;
        }
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = new Process { StartInfo = start };
        try
        {
            if (!process.Start())
            {
                return null;
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new SieveExecuteResult(127, "");
        }
        var output = ReadBoundedAsync(process.StandardOutput);
        var errors = ReadBoundedAsync(process.StandardError);
        try
        {
            if (input is not null)
            {
                process.StandardInput.Write(input);
            }
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program did not read its input: that is its business.
        }
        if (!process.WaitForExit(timeout))
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended meanwhile.
            }
            process.WaitForExit(TimeSpan.FromSeconds(5));
            return new SieveExecuteResult(-1, "");
        }
        process.WaitForExit(); // lets the redirected streams reach their end
        var text = output.Wait(TimeSpan.FromSeconds(5)) ? output.Result : "";
        _ = errors.Wait(TimeSpan.FromSeconds(5));
        return new SieveExecuteResult(process.ExitCode, text);
    }

    /// <summary>Reads a stream to its end, keeping at most <see cref="MaxOutputChars"/> characters.</summary>
    private static async Task<string> ReadBoundedAsync(StreamReader reader)
    {
        var kept = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            var room = MaxOutputChars - kept.Length;
            if (room > 0)
            {
                kept.Append(buffer, 0, Math.Min(room, read));
            }
        }
        return kept.ToString();
    }
}
