using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Sluice.Protocol;

namespace Sluice.Benchmarks;

/// <summary>
/// The DATA reader over a 10 MiB message of 76-character lines (some dot-stuffed), delivered in
/// 4 KiB segments as Kestrel's pipe hands them over, and as one segment. Throughput = 10 MiB / Mean.
/// </summary>
[MemoryDiagnoser]
public class DataReaderBenchmarks
{
    public const int MessageSize = 10 * 1024 * 1024;

    private readonly SmtpDataReader _reader = new();
    private ArrayBufferWriter<byte> _output = null!;
    private ReadOnlySequence<byte> _segmented;
    private ReadOnlySequence<byte> _contiguous;

    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder(MessageSize + 1024);
        text.Append("Received: from client.example ([192.0.2.1]) by mx.example.org\r\n")
            .Append("From: Jane <jane@example.org>\r\nTo: bob@example.net\r\nSubject: benchmark\r\n\r\n");
        var random = new Random(42);
        int line = 0;
        while (text.Length < MessageSize)
        {
            if (line++ % 50 == 0)
            {
                text.Append(".."); // a stuffed line
            }

            for (int i = 0; i < 76; i++)
            {
                text.Append((char)random.Next('!', '~'));
            }

            text.Append("\r\n");
        }

        text.Append(".\r\n");
        var bytes = Encoding.ASCII.GetBytes(text.ToString());
        _contiguous = new ReadOnlySequence<byte>(bytes);
        _segmented = BenchmarkSegments.Chunked(bytes, 4096);
        _output = new ArrayBufferWriter<byte>(bytes.Length);
    }

    [Benchmark(Baseline = true, Description = "10 MiB, 4 KiB segments, to buffer")]
    public long Segmented() => Run(_segmented, _output);

    [Benchmark(Description = "10 MiB, one segment, to buffer")]
    public long Contiguous() => Run(_contiguous, _output);

    [Benchmark(Description = "10 MiB, 4 KiB segments, count only")]
    public long SegmentedCountOnly() => Run(_segmented, null);

    private long Run(ReadOnlySequence<byte> input, ArrayBufferWriter<byte>? output)
    {
        output?.ResetWrittenCount();
        _reader.Reset(long.MaxValue);
        var reader = new SequenceReader<byte>(input);
        if (_reader.Read(ref reader, output) != DataReadStatus.Completed)
        {
            throw new InvalidOperationException("The terminator was not found.");
        }

        return _reader.MessageSize;
    }
}
