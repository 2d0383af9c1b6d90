using System.Text;
using Sluice.Tests.Support;

namespace Sluice.Tests.Session;

/// <summary>
/// Runs every <c>Transcripts/*.txt</c> file against the real server over a loopback socket: one server
/// per file, one NUnit case per file. On a mismatch the failure shows the whole exchange so far.
/// </summary>
[Parallelizable(ParallelScope.Children)]
public class TranscriptTests
{
    private static string Folder => Path.Combine(TestContext.CurrentContext.TestDirectory, "Transcripts");

    public static IEnumerable<TestCaseData> Files()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Transcripts");
        foreach (var file in Directory.EnumerateFiles(folder, "*.txt").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            yield return new TestCaseData(name).SetName("Transcript_" + name);
        }
    }

    [Test]
    public void There_are_transcripts_to_run() =>
        Assert.That(Files().Count(), Is.GreaterThanOrEqualTo(40), "Transcripts/*.txt are not copied to the output directory?");

    [TestCaseSource(nameof(Files))]
    public async Task Transcript(string name)
    {
        var transcript = Session.Transcript.Load(Path.Combine(Folder, name + ".txt"));
        await using var server = await RunningServer.StartAsync(RunningServer.MinimalToml(string.Join('\n', transcript.Toml)));
        await using var client = await RawSmtpClient.ConnectAsync(server.EndPoint("smtp"));
        var log = new StringBuilder();
        var pending = new List<byte>();
        foreach (var step in transcript.Steps)
        {
            switch (step)
            {
                case Transcript.Send send:
                    pending.AddRange(send.Bytes);
                    log.Append("      ").AppendLine(step.Source);
                    break;
                case Transcript.Expect expect:
                    if (pending.Count > 0)
                    {
                        await client.SendAsync(pending.ToArray());
                        pending.Clear();
                    }
                    string? actual;
                    try
                    {
                        actual = await client.ReadLineAsync();
                    }
                    catch (TimeoutException ex)
                    {
                        Assert.Fail(await ReportAsync(transcript, log, expect, "(" + ex.Message + ")", client));
                        return;
                    }
                    if (!expect.Matches(actual))
                    {
                        Assert.Fail(await ReportAsync(transcript, log, expect, actual is null ? "<closed>" : "S: " + actual, client));
                        return;
                    }
                    log.Append("  ok  ").AppendLine(actual is null ? "S: <closed>" : "S: " + actual);
                    break;
            }
        }
        Assert.That(pending, Is.Empty, $"{name}.txt ends with client lines that expect no reply: end it with S: lines");
    }

    private static async Task<string> ReportAsync(Transcript transcript, StringBuilder log, Transcript.Expect expected, string actual, RawSmtpClient client)
    {
        // What the server said next, read with a short deadline, and what the script still expected.
        var more = new StringBuilder();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                var line = await client.ReadLineAsync(TimeSpan.FromMilliseconds(300));
                more.Append("        S: ").AppendLine(line ?? "<closed>");
                if (line is null)
                {
                    break;
                }
            }
        }
        catch (TimeoutException)
        {
            // Nothing more within the deadline.
        }
        var rest = new StringBuilder();
        foreach (var entry in transcript.Steps.Where(e => e.Line > expected.Line))
        {
            rest.Append("        ").AppendLine(entry.Source);
        }
        return $"""
            {transcript.Name}.txt:{expected.Line}: reply mismatch
              expected: {expected.Source}
              actual:   {actual}
            exchange so far:
            {log}
            the server then sent:
            {more}
            the transcript went on with:
            {rest}
            """;
    }
}
