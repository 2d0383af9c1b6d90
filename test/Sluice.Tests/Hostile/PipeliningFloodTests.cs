using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Sluice.Tests.Durability;
using Sluice.Tests.Support;

namespace Sluice.Tests.Hostile;

/// <summary>
/// A client that pipelines 50 MB of valid commands and never reads a reply. Its replies fill the
/// socket and the output pipe, the server stops reading it (backpressure: the input pipe pauses, the
/// TCP window closes, the client's writes block), so the server's memory stays bounded however much
/// the client tries to send; other sessions are served meanwhile, and the idle timeout ends the
/// stalled session. The server runs as its own process so that its resident memory is its own.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class PipeliningFloodTests
{
    private const long FloodBytes = 50L * 1024 * 1024;

    /// <summary>
    /// How far the server's peak resident size may rise above its warm baseline during the flood.
    /// Measured: about 12–13 MB over a ~75 MB baseline (docs/crash-safety.md); a server that buffered the
    /// flood (or the replies to it) would rise by more than the 50 MB sent.
    /// </summary>
    private const long GrowthCeiling = 40L * 1024 * 1024;

    [Test]
    public async Task Fifty_MB_of_pipelined_commands_never_read_keep_the_server_memory_bounded_and_others_are_served()
    {
        using var dir = new TempDir();
        var queue = Path.Combine(dir.Path, "queue").Replace('\\', '/');
        var config = dir.File("sluice.toml", $"""
            [server]
            hostname = "mx.test.example"
            [server.listener.smtp]
            bind = "127.0.0.1:0"
            [server.listener.http]
            bind = "127.0.0.1:0"
            protocol = "http"
            [queue]
            path = "{queue}"
            min-free-space = 1
            [session]
            timeout = "8s"
            duration = "60s"
            """);
        await using var server = await SluiceProcess.StartAsync(config, dir.Path);

        // Warm up (JIT, pools, the queue's first segment) so the baseline is a serving server's.
        await SendOneMessageAsync(server, "warm-up");
        var baseline = server.ReadMemory("VmRSS");

        using var flooder = new TcpClient();
        await flooder.ConnectAsync(server.Smtp);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var written = 0L;
        var stopwatch = Stopwatch.StartNew();
        var flood = FloodAsync(flooder.GetStream(), n => Interlocked.Add(ref written, n), deadline.Token);

        // Wait until the writes stall: nothing more accepted for a whole second.
        var peakDuringFlood = baseline;
        var last = -1L;
        var unchangedSince = stopwatch.Elapsed;
        for (var i = 0; i < 600 && !flood.IsCompleted; i++)
        {
            peakDuringFlood = Math.Max(peakDuringFlood, server.ReadMemory("VmRSS"));
            var now = Interlocked.Read(ref written);
            if (now != last)
            {
                last = now;
                unchangedSince = stopwatch.Elapsed;
            }
            else if (stopwatch.Elapsed - unchangedSince > TimeSpan.FromSeconds(1))
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.That(flood.IsCompleted, Is.False, "the flood is held by backpressure, not finished: " + (flood.IsFaulted ? flood.Exception!.InnerException!.Message : "done"));
        var stalledAt = Interlocked.Read(ref written);
        Assert.That(stalledAt, Is.LessThan(FloodBytes), "the server stopped reading");

        // While the flood is stalled, another client is served a whole transaction.
        await SendOneMessageAsync(server, "while-flooded");
        Assert.That(flood.IsCompleted, Is.False, "the flood was still stalled while the other client was served");

        // The idle timeout (8 s without a command read: room for the other client under load) ends the stalled session; the flood's writes fail.
        var outcome = await flood;
        var ended = stopwatch.Elapsed;
        var peak = server.ReadMemory("VmHWM");
        var growth = peak - baseline;
        await TestContext.Out.WriteLineAsync(
            $"baseline VmRSS {Mb(baseline)}, VmHWM after the flood {Mb(peak)} (+{Mb(growth)}), VmRSS peak sampled during it {Mb(peakDuringFlood)}; " +
            $"client wrote {Mb(stalledAt)} before stalling, {Mb(Interlocked.Read(ref written))} in all of {Mb(FloodBytes)}; flood ended after {ended.TotalSeconds:F1} s ({outcome})");

        Assert.That(outcome, Is.EqualTo(FloodOutcome.ClosedByServer), "the server ended the stalled session");
        Assert.That(Interlocked.Read(ref written), Is.LessThan(FloodBytes), "the flood never got through whole");
        Assert.That(growth, Is.LessThan(GrowthCeiling), "peak resident memory above the baseline during the flood");

        // And the server still serves after it.
        await SendOneMessageAsync(server, "after");
    }

    private enum FloodOutcome
    {
        AllWritten,
        ClosedByServer,
        DeadlinePassed,
    }

    /// <summary>Writes <see cref="FloodBytes"/> of valid commands in 64 KiB writes, reading nothing.</summary>
    private static async Task<FloodOutcome> FloodAsync(NetworkStream stream, Action<int> progress, CancellationToken deadline)
    {
        var block = FloodBlock();
        try
        {
            for (long sent = 0; sent < FloodBytes; sent += block.Length)
            {
                await stream.WriteAsync(block, deadline);
                progress(block.Length);
            }

            return FloodOutcome.AllWritten;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return FloodOutcome.DeadlinePassed;
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            return FloodOutcome.ClosedByServer;
        }
    }

    /// <summary>64 KiB or so of whole command lines: an EHLO, then transactions opened and reset.</summary>
    private static byte[] FloodBlock()
    {
        var text = new StringBuilder("EHLO flood.example\r\n");
        while (text.Length < 64 * 1024)
        {
            text.Append("NOOP\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nRSET\r\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static async Task SendOneMessageAsync(SluiceProcess server, string subject)
    {
        await using var client = await LineClient.ConnectAsync(server.Smtp);
        Assert.That(await client.ReadLineAsync(), Does.StartWith("220 "));
        await client.SendAsync("EHLO other.example\r\n");
        Assert.That((await client.ReadReplyAsync())[^1], Does.StartWith("250 "));
        await client.SendAsync("MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.1.0"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.1.5"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("354 "));
        await client.SendAsync($"Subject: {subject}\r\n\r\nbody\r\n.\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("250 2.0.0"));
        await client.SendAsync("QUIT\r\n");
        Assert.That(await client.ReadLineAsync(), Does.StartWith("221 "));
    }

    private static string Mb(long bytes) => $"{bytes / (1024.0 * 1024):F1} MB";
}
