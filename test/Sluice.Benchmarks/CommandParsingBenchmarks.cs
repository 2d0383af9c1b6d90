using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Sluice.Protocol;

namespace Sluice.Benchmarks;

/// <summary>
/// A pipelined MAIL/RCPT/RCPT/DATA batch, as a client using PIPELINING sends it, parsed from one
/// buffer and from a buffer split mid-command (two pipe segments). The only allocations expected
/// are the address strings (one per MAIL/RCPT); the RSET/NOOP/DATA batch shows zero.
/// </summary>
[MemoryDiagnoser]
public class CommandParsingBenchmarks
{
    private const string Transaction =
        "MAIL FROM:<jane.doe@example.org> SIZE=4096 BODY=8BITMIME\r\n" +
        "RCPT TO:<bob@example.net>\r\n" +
        "RCPT TO:<carol@example.net> NOTIFY=FAILURE\r\n" +
        "DATA\r\n";

    private const string NoArguments = "RSET\r\nNOOP\r\nDATA\r\nQUIT\r\n";

    private readonly CommandReaderState _state = new();
    private ReadOnlySequence<byte> _single;
    private ReadOnlySequence<byte> _split;
    private ReadOnlySequence<byte> _noArguments;

    [GlobalSetup]
    public void Setup()
    {
        var bytes = Encoding.ASCII.GetBytes(Transaction);
        _single = new ReadOnlySequence<byte>(bytes);
        _split = BenchmarkSegments.SplitAt(bytes, 40);
        _noArguments = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(NoArguments));
    }

    [Benchmark(Baseline = true, Description = "MAIL/RCPT/RCPT/DATA, one segment")]
    public int PipelinedTransaction() => ReadAll(_single);

    [Benchmark(Description = "MAIL/RCPT/RCPT/DATA, split mid-MAIL")]
    public int PipelinedTransactionSplit() => ReadAll(_split);

    [Benchmark(Description = "RSET/NOOP/DATA/QUIT (no strings)")]
    public int CommandsWithoutArguments() => ReadAll(_noArguments);

    private int ReadAll(ReadOnlySequence<byte> input)
    {
        var reader = new SequenceReader<byte>(input);
        int count = 0;
        while (SmtpCommandReader.TryReadCommand(ref reader, _state, out var command) == CommandReadStatus.Command)
        {
            count += (int)command.Verb;
        }

        return count;
    }
}
