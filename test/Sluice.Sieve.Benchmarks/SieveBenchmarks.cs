using System.Text;
using BenchmarkDotNet.Attributes;

namespace Sluice.Sieve.Benchmarks;

/// <summary>
/// Compile time of a 200-line script; run time and allocations of a 10-rule filter on a 50 KB
/// message (header, address, envelope, exists and size tests: what an SMTP-stage filter uses).
/// </summary>
[MemoryDiagnoser]
public class SieveBenchmarks
{
    private string _longScript = "";
    private SieveScript _filter = null!;
    private SieveScript _filter20 = null!;
    private SieveRunContext _context = null!;
    private byte[] _raw = [];

    /// <summary>Ten rules of the kinds a deployed filter has; the 20-rule variant shows the cost per rule.</summary>
    public static string Filter(int rules)
    {
        string[] kinds =
        [
            "if header :contains \"subject\" \"viagra\" {{ discard; stop; }}",
            "if address :domain :is \"from\" \"spam{0}.example\" {{ fileinto \"Junk\"; }}",
            "if header :is \"x-spam-flag\" \"YES\" {{ fileinto \"Junk\"; }}",
            "if envelope :localpart :is \"to\" \"abuse{0}\" {{ redirect \"abuse@example.net\"; }}",
            "if exists \"list-unsubscribe{0}\" {{ fileinto \"Lists\"; }}",
            "if size :over 10M {{ reject \"too big\"; }}",
            "if header :matches \"list-id\" \"*<announce{0}.*\" {{ fileinto \"Announce\"; }}",
            "if address :is \"to\" \"ceo{0}@example.net\" {{ addflag \"\\\\Flagged\"; }}",
            "if anyof (header :contains \"x-mailer\" \"bulk{0}\", header :contains \"precedence\" \"junk\") {{ fileinto \"Bulk\"; }}",
            "if not header :contains \"from\" \"@\" {{ discard; }}",
        ];
        var sb = new StringBuilder("require [\"fileinto\", \"envelope\", \"reject\", \"imap4flags\"];\n");
        for (int i = 0; i < rules; i++)
        {
            sb.AppendLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, kinds[i % kinds.Length], i));
        }
        return sb.ToString();
    }

    /// <summary>A 200-line script: requires, variables, nested ifs and every common test.</summary>
    public static string LongScript()
    {
        var sb = new StringBuilder("require [\"fileinto\", \"envelope\", \"variables\", \"regex\", \"imap4flags\", \"relational\", \"comparator-i;ascii-numeric\", \"body\", \"editheader\", \"date\", \"index\"];\n");
        int line = 1;
        for (int i = 0; line < 200; i++)
        {
            sb.AppendLine($"if header :regex \"subject\" \"^\\\\[list{i}\\\\] (.*)$\" {{");
            sb.AppendLine($"    set :lower \"name{i % 20}\" \"${{1}}\";");
            sb.AppendLine($"    if address :domain :is \"from\" [\"example{i}.org\", \"example{i}.net\"] {{ fileinto \"Lists.${{name{i % 20}}}\"; }}");
            sb.AppendLine($"    elsif header :value \"ge\" :comparator \"i;ascii-numeric\" \"x-spam-score\" \"{i % 10}\" {{ addflag \"$Junk\"; addheader \"X-Rule\" \"{i}\"; }}");
            sb.AppendLine($"}} elsif body :text :contains \"phrase {i}\" {{ fileinto \"Phrases\"; }}");
            line += 5;
        }
        return sb.ToString();
    }

    private static byte[] Message50K()
    {
        var sb = new StringBuilder();
        sb.Append("Received: from mx.example.org by mail.example.net; Mon, 20 Jul 2009 21:44:43 +0300\r\n");
        sb.Append("From: Alice Example <alice@example.org>\r\nTo: Bob <bob@example.net>, carol@example.net\r\n");
        sb.Append("Subject: Quarterly report and other things\r\nDate: Mon, 20 Jul 2009 21:44:43 +0300\r\n");
        sb.Append("Message-ID: <abc123@example.org>\r\nX-Mailer: Sluice bench\r\nList-Id: Announcements <announce.example.org>\r\n");
        for (int i = 0; i < 20; i++)
        {
            sb.Append($"X-Trace-{i}: hop {i} via relay{i}.example.org\r\n");
        }
        sb.Append("\r\n");
        while (sb.Length < 50 * 1024)
        {
            sb.Append("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.\r\n");
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    [GlobalSetup]
    public void Setup()
    {
        _longScript = LongScript();
        _filter = SieveCompiler.Compile(Filter(10)).Script ?? throw new InvalidOperationException("filter does not compile");
        _filter20 = SieveCompiler.Compile(Filter(20)).Script ?? throw new InvalidOperationException("filter does not compile");
        _raw = Message50K();
        _context = new SieveRunContext
        {
            Message = new SimpleSieveMessage(_raw),
            Envelope = new SieveEnvelope { From = "alice@example.org", To = ["bob@example.net"] },
        };
    }

    [Benchmark]
    public SieveCompileResult Compile200Lines() => SieveCompiler.Compile(_longScript);

    [Benchmark(Baseline = true)]
    public SieveResult Run10Rules() => SieveInterpreter.Run(_filter, _context);

    [Benchmark]
    public SieveResult Run20Rules() => SieveInterpreter.Run(_filter20, _context);

    /// <summary>The same run with the message parsed each time (what a host pays once per message).</summary>
    [Benchmark]
    public SieveResult ParseAndRun10Rules() => SieveInterpreter.Run(_filter, new SieveRunContext
    {
        Message = new SimpleSieveMessage(_raw),
        Envelope = _context.Envelope,
    });
}
