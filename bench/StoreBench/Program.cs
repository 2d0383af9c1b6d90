// dotnet StoreBench.dll DIR [MESSAGES] : commits MESSAGES 4 KB messages from 20 and 100 parallel
// committers into each store and prints messages per second and, for the log, flushes.
using System.Diagnostics;
using System.Globalization;
using Sluice.Queue;
using Sluice.Queue.Log;

var root = args[0];
var total = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5000;
var body = new byte[4096];
Array.Fill(body, (byte)'x');
var envelope = new MessageEnvelope { From = "a@b.test", To = [new EnvelopeRecipient("c@d.test")], ReceivedAt = DateTimeOffset.UtcNow };

foreach (var committers in new[] { 1, 20, 100 })
{
    foreach (var (name, fsync) in new[] { ("log+fsync", true), ("log", false), ("log+fsync+stage", true), ("log+stage", false), ("files+fsync", true) })
    {
        var path = Path.Combine(root, $"{name}-{committers}-{Guid.NewGuid():N}");
        // "+stage": every message goes through a staging file (SpillThreshold 0) instead of memory.
        var spill = name.EndsWith("+stage", StringComparison.Ordinal) ? 0 : 64 * 1024;
        IMessageStore store = name.StartsWith("log", StringComparison.Ordinal)
            ? new LogMessageStore(new LogMessageStoreOptions { Path = path, Fsync = fsync, SpillThreshold = spill })
            : new FilesMessageStore(new FilesMessageStoreOptions { Path = path, Fsync = fsync });
        var remaining = total;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, committers).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                await using var tx = await store.BeginAsync(CancellationToken.None);
                await tx.WriteAsync(body, CancellationToken.None);
                await tx.CommitAsync(envelope, CancellationToken.None);
            }
        })));
        watch.Stop();
        var flushes = (store as LogMessageStore)?.Flushes ?? 0;
        (store as IDisposable)?.Dispose();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-16} {committers,3} committers  {total / watch.Elapsed.TotalSeconds,8:F0} msg/s  {(flushes > 0 ? $"{flushes} flushes, {(double)total / flushes:F1} per flush" : "")}"));
        Directory.Delete(path, recursive: true);
    }
}
