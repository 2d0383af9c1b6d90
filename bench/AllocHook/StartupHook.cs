// Loaded by the runtime before Main when DOTNET_STARTUP_HOOKS names this assembly.
//   ALLOC_HOOK_FILE=F   GC.GetTotalAllocatedBytes(precise: true) written to F every 100 ms
//   ALLOC_HOOK_TYPES=F  the runtime's sampled allocation events (GCAllocationTick, about one per
//                       100 KB allocated) summed by type, "bytes<TAB>type" lines, written every second
using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text;

internal static class StartupHook
{
    public static void Initialize()
    {
        var path = Environment.GetEnvironmentVariable("ALLOC_HOOK_FILE");
        if (!string.IsNullOrEmpty(path))
        {
            Every(100, () => GC.GetTotalAllocatedBytes(precise: true).ToString(CultureInfo.InvariantCulture) + "\n", path, "alloc-hook");
        }

        var types = Environment.GetEnvironmentVariable("ALLOC_HOOK_TYPES");
        if (!string.IsNullOrEmpty(types))
        {
            var listener = new AllocationTickListener();
            Every(1000, listener.Snapshot, types, "alloc-hook-types");
            GC.KeepAlive(listener);
        }
    }

    private static void Every(int milliseconds, Func<string> text, string path, string name)
    {
        var thread = new Thread(() =>
        {
            var temp = path + ".tmp";
            while (true)
            {
                File.WriteAllText(temp, text());
                File.Move(temp, path, overwrite: true);
                Thread.Sleep(milliseconds);
            }
        })
        { IsBackground = true, Name = name };
        thread.Start();
    }
}

internal sealed class AllocationTickListener : EventListener
{
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);

    public string Snapshot()
    {
        var text = new StringBuilder();
        foreach (var (type, bytes) in _bytes)
        {
            text.Append(bytes.ToString(CultureInfo.InvariantCulture)).Append('\t').Append(type).Append('\n');
        }

        return text.ToString();
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.PayloadNames is null)
        {
            return;
        }

        var type = eventData.PayloadNames.IndexOf("TypeName") is var t and >= 0 ? eventData.Payload?[t] as string ?? "?" : "?";
        var amountIndex = eventData.PayloadNames.IndexOf("AllocationAmount64");
        var amount = amountIndex >= 0 && eventData.Payload?[amountIndex] is ulong a ? (long)a : 100_000;
        _bytes.AddOrUpdate(type, amount, (_, old) => old + amount);
    }
}
