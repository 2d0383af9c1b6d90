using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Sluice.Sieve.Runtime;

namespace Sluice.Sieve.Tests.Pigeonhole;

/// <summary>The outcome of running one .svtest file: its cases and anything that broke the file as a whole.</summary>
internal sealed class FileRun
{
    public required List<CaseResult> Cases { get; init; }

    public string? FileFailure { get; init; }

    /// <summary>Part-2 extensions the file itself requires (its cases are then "not yet").</summary>
    public IReadOnlyList<string> MissingExtensions { get; init; } = [];
}

internal static partial class PigeonholeRunner
{
    private static readonly ConcurrentDictionary<string, Lazy<FileRun>> Runs = new(StringComparer.Ordinal);

    /// <summary>Each file runs once; every case of it reads the cached outcome.</summary>
    public static FileRun Get(string relativePath) =>
        Runs.GetOrAdd(relativePath, p => new Lazy<FileRun>(() => Run(p))).Value;

    [GeneratedRegex("^\\s*test\\s*\"((?:[^\"\\\\]|\\\\.)*)\"", RegexOptions.Multiline)]
    private static partial Regex TestHeader();

    /// <summary>The test names a file declares, in order, read from its text without running it.</summary>
    public static List<string> DiscoverCases(string path) =>
        TestHeader().Matches(File.ReadAllText(path)).Select(m => Regex.Unescape(m.Groups[1].Value)).ToList();

    private static FileRun Run(string relativePath)
    {
        string root = Path.Combine(SharedFolder.SieveDirectory!, "pigeonhole-tests");
        string path = Path.Combine(root, relativePath);
        var session = new SuiteSession(Path.GetDirectoryName(path)!);
        SieveCompileOptions options = session.CompileOptions(SieveExtensionSet.Default.With(new TestsuiteExtension(session)));
        SieveCompileResult compiled = SieveCompiler.Compile(File.ReadAllText(path), options);
        if (compiled.Script is not { } script)
        {
            var missing = new List<string>();
            foreach (SieveError e in compiled.Errors)
            {
                Match m = Regex.Match(e.Message, "unknown Sieve capability '([^']*)'");
                if (m.Success)
                {
                    missing.Add(m.Groups[1].Value);
                }
            }
            return new FileRun
            {
                Cases = [],
                FileFailure = "the test file did not compile: " + string.Join("; ", compiled.Errors.Select(e => e.ToString())),
                MissingExtensions = missing,
            };
        }

        var context = new SieveRunContext
        {
            Message = SimpleSieveMessage.FromText("\r\n"),
            Envelope = new SieveEnvelope(),
            Host = session,
            Settings = session.Settings(),
            NamespaceVariables = session.NamespaceVariables,
            // The suite's files are long and loop over many cases: the budget guards against a hang, not cost.
            Limits = new SieveLimits { CpuInstructions = 50_000_000, Redirects = 16, MaxActions = 256 },
        };
        var state = new RunState(script, context, session.Result);
        int start = 0;
        // A runtime error fails the case it happened in; the run resumes after that case. Each resume
        // moves past one case, so this ends.
        while (true)
        {
            SieveError? error = SieveInterpreter.Execute(script, state, start, out bool exhausted);
            if (error is null)
            {
                break;
            }
            string message = $"runtime error at line {error.Line}: {error.Message}";
            int failedAt = state.ProgramCounter;
            if (session.Current is null || exhausted || TestBlock.EndOf(script, failedAt) is not { } end)
            {
                session.Fail(message);
                break;
            }
            session.Fail(message);
            start = end;
        }
        return new FileRun { Cases = session.Cases, FileFailure = session.FileErrors.Count > 0 ? string.Join("; ", session.FileErrors) : null };
    }
}
