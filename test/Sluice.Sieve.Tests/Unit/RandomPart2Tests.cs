namespace Sluice.Sieve.Tests.Unit;

/// <summary>
/// Seeded, bounded fuzz of the part-2 extensions: random regular expressions (ERE pieces and noise),
/// random combinations of MIME, body, editheader, date and include commands on a MIME message.
/// Compiling and running must end in a result or a reported error, never an exception or a hang.
/// </summary>
public sealed class RandomPart2Tests
{
    private static readonly string[] RegexPieces =
    [
        "a", "b", ".", "*", "+", "?", "|", "(", ")", "[", "]", "^", "$", "{2}", "{1,3}", "{,}", "{", "}",
        "[[:alpha:]]", "[[:digit:]]", "[^a-z]", "[]a]", "[a-]", "\\", "\\1", "\\.", "\\w", "(?", "*?", "[[:x:]]", "[=a=]",
    ];

    private static readonly string[] Commands =
    [
        "if header :regex \"subject\" \"{re}\" { set \"m\" \"${1}\"; }",
        "if string :regex \"${m}\" \"{re}\" { keep; }",
        "if body :text :contains \"MONEY\" { fileinto \"Junk\"; }",
        "if body :raw :matches \"*--outer*\" { keep; }",
        "if body :content [\"text\", \"\", \"a/b/c\"] :contains \"x\" { discard; }",
        "addheader \"X-R\" \"${m}\";",
        "addheader :last \"X-R\" \"line1\nline2\";",
        "deleteheader :index 1 :last \"X-R\";",
        "deleteheader :regex \"x-r\" \"{re}\";",
        "foreverypart { extracttext :first 20 \"t\"; if header :mime :anychild :param \"charset\" \"content-type\" \"*\" { set \"m\" \"${t}\"; } }",
        "foreverypart :name \"l\" { foreverypart { if exists :mime \"content-type\" { break :name \"l\"; } } }",
        "if header :mime :contenttype \"content-type\" \"multipart/mixed\" { replace \"gone\"; }",
        "if date :originalzone \"date\" \"weekday\" \"{n}\" { keep; }",
        "if currentdate :zone \"+0{n}00\" \"hour\" \"1{n}\" { keep; }",
        "if header :index {n} :last :contains \"received\" \"x\" { keep; }",
        "if duplicate :seconds {n} { discard; }",
        "include :optional :once \"nothing\";",
        "if address :mime :anychild :domain \"from\" \"example.com\" { redirect \"a@example.org\"; }",
    ];

    private const string Message =
        "Received: from a by b; Mon, 20 Jul 2009 21:44:43 +0300\r\n" +
        "From: Whomever <whoever@example.com>\r\nSubject: Make MONEY fast\r\nDate: Sat, 10 Oct 2009 00:30:04 +0200\r\n" +
        "Content-Type: multipart/mixed; boundary=outer\r\n\r\npreamble\r\n--outer\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nMONEY\r\n" +
        "--outer\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--outer--\r\n";

    [Test]
    public void RandomPart2ScriptsNeverThrow()
    {
        var random = new Random(20261205);
        var message = SimpleSieveMessage.FromText(Message);
        int compiled = 0;
        int ran = 0;
        for (int i = 0; i < 1500; i++)
        {
            string regex = string.Concat(Enumerable.Range(0, random.Next(1, 8)).Select(_ => RegexPieces[random.Next(RegexPieces.Length)]))
                .Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
            var body = new List<string>();
            for (int c = random.Next(1, 6); c > 0; c--)
            {
                body.Add(Commands[random.Next(Commands.Length)]
                    .Replace("{re}", regex, StringComparison.Ordinal)
                    .Replace("{n}", random.Next(0, 7).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
            }
            string script = "require [\"regex\", \"variables\", \"body\", \"editheader\", \"foreverypart\", \"mime\", \"extracttext\", \"replace\", \"date\", \"index\", \"duplicate\", \"include\", \"fileinto\"];\n" +
                string.Join('\n', body);
            if (i % 5 == 0)
            {
                // Sometimes cut the script anywhere.
                script = script[..random.Next(script.Length)];
            }
            SieveCompileResult result = SieveCompiler.Compile(script);
            Assert.That(result.Success || result.Errors.Count > 0, Is.True, script);
            if (result.Script is not { } s)
            {
                continue;
            }
            compiled++;
            SieveResult run = SieveInterpreter.Run(s, new SieveRunContext
            {
                Message = message,
                Limits = new SieveLimits { Redirects = 4 },
                Settings = new SieveSettings { RegexTimeout = TimeSpan.FromMilliseconds(100) },
            });
            Assert.That(run.Actions, Is.Not.Empty, script);
            Assert.That(run.Error?.Message ?? "", Does.Not.StartWith("internal error"), script);
            ran++;
        }
        Assert.That(compiled, Is.GreaterThan(300));
        Assert.That(ran, Is.EqualTo(compiled));
    }
}
