using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Sluice.Queue;
using Sluice.Queue.Log;
using Sluice.Tests.Configuration;
using Sluice.Tests.Support;

namespace Sluice.Tests.Durability;

/// <summary>
/// kill -9 of the real server at a random moment of a load run of up to 1,000 distinct messages,
/// repeated on the same queue: after each restart (recovery runs) every message that got its 250 is
/// in the queue, byte-whole, and every message the queue shows is whole (none partial). The moment
/// is drawn from a seed printed with the result; <c>SLUICE_KILL_SEED</c> replays a run and
/// <c>SLUICE_KILL_ROUNDS</c> runs more rounds than the suite's few.
/// kill -9 keeps the page cache: this proves the commit protocol and recovery, not the fsyncs
/// (those are proven through the injected file layer, StoreDurabilityTests and the store contract tests).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class KillDuringLoadTests
{
    private const int MessagesPerRun = 1000;
    private const int Clients = 8;
    private const int MessagesPerSession = 10;

    [TestCase("log")]
    [TestCase("files")]
    public async Task Kill_9_at_random_moments_of_a_load_run_loses_no_acknowledged_message_and_shows_no_partial_one(string type)
    {
        var seed = EnvironmentInt("SLUICE_KILL_SEED") ?? Random.Shared.Next(1, 1_000_000);
        var rounds = EnvironmentInt("SLUICE_KILL_ROUNDS") ?? 3;
        await TestContext.Out.WriteLineAsync($"{type}: seed {seed}, {rounds} rounds (SLUICE_KILL_SEED={seed} replays the kill moments)");
        var random = new Random(seed);

        using var dir = new TempDir();
        var queue = Path.Combine(dir.Path, "queue");
        var config = dir.File("sluice.toml", $"""
            [server]
            hostname = "mx.test.example"
            [server.listener.smtp]
            bind = "127.0.0.1:0"
            [server.listener.http]
            bind = "127.0.0.1:0"
            protocol = "http"
            [queue]
            type = "{type}"
            path = "{queue.Replace('\\', '/')}"
            min-free-space = 1
            """);

        var sent = new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal);       // tag -> bytes as sent
        var acknowledged = new ConcurrentDictionary<string, string>(StringComparer.Ordinal); // queue id -> tag
        var totals = new Totals();
        for (var round = 0; round <= rounds; round++)
        {
            await using var server = await SluiceProcess.StartAsync(config, dir.Path);
            var check = Check(type, queue, sent, acknowledged);
            totals.Add(check);
            Assert.That(check.Lost, Is.Empty, $"seed {seed}, after round {round - 1}: acknowledged messages missing or not whole");
            Assert.That(check.Partial, Is.Empty, $"seed {seed}, after round {round - 1}: partial messages visible");
            if (round == rounds)
            {
                // The CLI sees the same queue as the reader, while the restarted server runs.
                var (exit, stdout, stderr) = await CheckCommandTests.RunServerAsync(dir.Path, "queue", "list", "--config", config);
                Assert.That(exit, Is.Zero, stderr);
                Assert.That(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(check.Visible), "queue list");
                break;
            }

            var killAfter = random.Next(0, MessagesPerRun);
            var extraDelay = TimeSpan.FromMilliseconds(random.Next(0, 20));
            var acknowledgedBefore = acknowledged.Count;
            var run = new LoadRun(server, seed, round, killAfter, sent, acknowledged);
            await run.RunUntilKilledAsync(extraDelay);
            await TestContext.Out.WriteLineAsync(
                $"round {round}: kill after {killAfter} acknowledgements + {extraDelay.TotalMilliseconds} ms; {acknowledged.Count - acknowledgedBefore} acknowledged this round ({run.Finished})");
        }

        await TestContext.Out.WriteLineAsync(
            $"{type}, seed {seed}: {rounds} rounds, {acknowledged.Count} messages acknowledged, {sent.Count} sent; " +
            $"lost {totals.Lost}, partial visible {totals.Partial}; {totals.LastVisible} visible at the end");
    }

    /// <summary>Reads the whole queue back and compares it with what was sent and acknowledged.</summary>
    private static CheckResult Check(string type, string queue, ConcurrentDictionary<string, byte[]> sent, ConcurrentDictionary<string, string> acknowledged)
    {
        var stored = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var partial = new List<string>(); // messages, or envelopes, that are not whole
        if (Directory.Exists(queue))
        {
            IQueueReader reader = type == "log" ? new LogQueueReader(queue) : new FilesQueueReader(queue);
            foreach (var message in reader.List())
            {
                using var content = message.OpenContent();
                using var copy = new MemoryStream();
                content.CopyTo(copy);
                Assert.That(stored.TryAdd(message.Id, copy.ToArray()), Is.True, $"{message.Id} listed twice");
                if (message.Envelope.Size != copy.Length || message.Envelope.To.Select(t => t.Address).SingleOrDefault() != "c@d.example")
                {
                    partial.Add($"{message.Id} (size {message.Envelope.Size} for {copy.Length} bytes)");
                }
            }
        }

        var lost = new List<string>();
        foreach (var (id, tag) in acknowledged)
        {
            if (!stored.TryGetValue(id, out var bytes) || !bytes.AsSpan().EndsWith(sent[tag]))
            {
                lost.Add($"{id} ({tag}): {(bytes is null ? "missing" : "not whole")}");
            }
        }

        foreach (var (id, bytes) in stored)
        {
            if (!SelfCheckingMessage.IsWhole(bytes, out var tag) || !sent.ContainsKey(tag))
            {
                partial.Add($"{id} ({bytes.Length} bytes, tag '{tag}')");
            }
        }

        return new CheckResult(lost, partial, stored.Count);
    }

    private static int? EnvironmentInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    private sealed record CheckResult(List<string> Lost, List<string> Partial, int Visible);

    private sealed class Totals
    {
        public int Lost { get; private set; }

        public int Partial { get; private set; }

        public int LastVisible { get; private set; }

        public void Add(CheckResult check)
        {
            Lost += check.Lost.Count;
            Partial += check.Partial.Count;
            LastVisible = check.Visible;
        }
    }

    /// <summary>
    /// Several concurrent sessions sending the run's messages (each index once) until the server is
    /// killed: when the <c>killAfter</c>-th 250 of the run comes in (plus a short random delay).
    /// </summary>
    private sealed class LoadRun(
        SluiceProcess server,
        int seed,
        int round,
        int killAfter,
        ConcurrentDictionary<string, byte[]> sent,
        ConcurrentDictionary<string, string> acknowledged)
    {
        private readonly TaskCompletionSource _killMoment = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _next = -1;
        private int _acknowledged;

        public string Finished { get; private set; } = "";

        public async Task RunUntilKilledAsync(TimeSpan extraDelay)
        {
            if (killAfter == 0)
            {
                _killMoment.TrySetResult();
            }

            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            var clients = Enumerable.Range(0, Clients).Select(_ => Task.Run(() => ClientAsync(stop.Token))).ToList();
            var allDone = Task.WhenAll(clients);
            if (await Task.WhenAny(_killMoment.Task, allDone, Task.Delay(Timeout.Infinite, stop.Token)) == _killMoment.Task)
            {
                await Task.Delay(extraDelay);
                Finished = "killed during the load";
            }
            else
            {
                Finished = allDone.IsCompleted ? "the run ended before the kill" : "deadline passed";
            }

            await server.KillAsync();
            await allDone;
            Assert.That(stop.IsCancellationRequested, Is.False, "the load run ended within its deadline");
        }

        private async Task ClientAsync(CancellationToken stop)
        {
            try
            {
                while (!stop.IsCancellationRequested && Volatile.Read(ref _next) < MessagesPerRun - 1)
                {
                    await SessionAsync();
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The server was killed under this session.
            }
        }

        private async Task SessionAsync()
        {
            await using var smtp = await LineClient.ConnectAsync(server.Smtp);
            Expect(await smtp.ReadLineAsync(), "220");
            await smtp.SendAsync("EHLO load.example\r\n");
            Expect((await smtp.ReadReplyAsync())[^1], "250");
            for (var n = 0; n < MessagesPerSession; n++)
            {
                var index = Interlocked.Increment(ref _next);
                if (index >= MessagesPerRun)
                {
                    break;
                }

                var message = SelfCheckingMessage.Create(seed, round, index, out var tag);
                sent[tag] = message;
                await smtp.SendAsync("MAIL FROM:<load@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n");
                Expect(await smtp.ReadLineAsync(), "250");
                Expect(await smtp.ReadLineAsync(), "250");
                Expect(await smtp.ReadLineAsync(), "354");
                await smtp.SendRawAsync(message);
                await smtp.SendAsync(".\r\n");
                var reply = await smtp.ReadLineAsync();
                Expect(reply, "250");
                acknowledged[reply!.Split(' ')[^1]] = tag;
                if (Interlocked.Increment(ref _acknowledged) == killAfter)
                {
                    _killMoment.TrySetResult();
                }
            }

            await smtp.SendAsync("QUIT\r\n");
        }

        private static void Expect(string? line, string code)
        {
            if (line is null || !line.StartsWith(code, StringComparison.Ordinal))
            {
                throw new IOException($"expected {code}, got '{line}'");
            }
        }
    }
}
