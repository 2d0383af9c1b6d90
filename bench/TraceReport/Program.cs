// Reads a .nettrace written by `dotnet-trace collect` with the GC keyword at verbose level and prints
// where the sampled allocations (GCAllocationTick, one event per ~100 KB per heap) came from: by type,
// and by type plus the innermost frames of the allocating stack, in bytes per message.
//   dotnet run --project bench/TraceReport -- trace.nettrace MESSAGES [FRAMES] [TOP]
using System.Globalization;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: TraceReport TRACE.nettrace MESSAGES [FRAMES=8] [TOP=40]");
    return 2;
}

var messages = double.Parse(args[1], CultureInfo.InvariantCulture);
var frames = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 8;
var top = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 40;
var byType = new Dictionary<string, long>(StringComparer.Ordinal);
var bySite = new Dictionary<string, long>(StringComparer.Ordinal);
long total = 0;

using (var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(args[0])))
{
    var source = log.Events.GetSource();
    source.Clr.GCAllocationTick += tick =>
    {
        var amount = tick.AllocationAmount64;
        total += amount;
        Add(byType, tick.TypeName ?? "?", amount);
        Add(bySite, (tick.TypeName ?? "?") + "\n" + Stack(tick.CallStack(), frames), amount);
    };
    source.Process();
}

Console.WriteLine($"sampled allocations: {total / messages:F0} B/msg");
Console.WriteLine("by type:");
foreach (var (type, bytes) in byType.OrderByDescending(p => p.Value).Take(top))
{
    Console.WriteLine($"  {bytes / messages,8:F0} B/msg  {type}");
}
Console.WriteLine("by allocating stack (innermost frame first):");
foreach (var (site, bytes) in bySite.OrderByDescending(p => p.Value).Take(top))
{
    Console.WriteLine($"  {bytes / messages,8:F0} B/msg  {site.Replace("\n", "\n                    ", StringComparison.Ordinal)}");
}
return 0;

static void Add(Dictionary<string, long> sums, string key, long amount) =>
    sums[key] = sums.TryGetValue(key, out var old) ? old + amount : amount;

static string Stack(TraceCallStack? stack, int frames)
{
    var names = new List<string>();
    for (var frame = stack; frame is not null && names.Count < frames; frame = frame.Caller)
    {
        var name = frame.CodeAddress.FullMethodName;
        if (!string.IsNullOrEmpty(name))
        {
            names.Add(name);
        }
    }
    return names.Count == 0 ? "(no stack)" : string.Join("\n", names);
}
