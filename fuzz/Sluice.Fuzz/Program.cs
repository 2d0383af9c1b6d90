using SharpFuzz;
using Sluice.Fuzz;

// `Sluice.Fuzz <target>`: the AFL fork server for one target (under afl-fuzz; input on stdin otherwise).
// `Sluice.Fuzz <target> FILE...`: replays inputs, e.g. a crash afl-fuzz saved, and prints the exception.
if (args.Length == 0 || !FuzzTargets.Names.Contains(args[0]))
{
    Console.Error.WriteLine($"usage: Sluice.Fuzz <{string.Join("|", FuzzTargets.Names)}> [input-file...]");
    return 2;
}

string target = args[0];
if (args.Length > 1)
{
    int failed = 0;
    foreach (string file in args[1..])
    {
        try
        {
            FuzzTargets.Run(target, File.ReadAllBytes(file));
            Console.WriteLine($"ok: {file}");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            failed++;
            Console.WriteLine($"FAILED: {file}: {ex}");
        }
    }

    return failed == 0 ? 0 : 1;
}

// Out of process: a stack overflow or a hang kills only the child that runs the target, which
// SharpFuzz restarts, so afl-fuzz records a crash or a hang instead of losing its fork server.
Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    try
    {
        FuzzTargets.Run(target, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }
    catch (Exception ex) when (Environment.GetEnvironmentVariable("SLUICE_FUZZ_TMP") is { Length: > 0 } dir)
    {
        // afl-fuzz keeps the input but not the exception: note it for run.sh's report.
        Directory.CreateDirectory(dir);
        File.AppendAllText(Path.Combine(dir, $"exceptions-{target}.log"), $"{DateTime.UtcNow:O} {ex}{Environment.NewLine}");
        throw;
    }
});
return 0;
