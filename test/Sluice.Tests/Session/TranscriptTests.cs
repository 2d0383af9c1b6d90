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
                        Assert.Fail(Report(transcript, log, expect, "(" + ex.Message + ")"));
                        return;
                    }
                    if (!expect.Matches(actual))
                    {
                        Assert.Fail(Report(transcript, log, expect, actual is null ? "<closed>" : "S: " + actual));
                        return;
                    }
                    log.Append("  ok  ").AppendLine(actual is null ? "S: <closed>" : "S: " + actual);
                    break;
            }
        }
        Assert.That(pending, Is.Empty, $"{name}.txt ends with client lines that expect no reply: end it with S: lines");
    }

    private static string Report(Transcript transcript, StringBuilder log, Transcript.Expect expected, string actual) =>
        $"""
        {transcript.Name}.txt:{expected.Line}: reply mismatch
          expected: {expected.Source}
          actual:   {actual}
        exchange so far:
        {log}
        """;
}
