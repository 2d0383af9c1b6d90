namespace Sluice.Sieve.Tests.Unit;

/// <summary>
/// Scripts stitched at random from the language's own pieces (a seeded, bounded fuzz): whatever the
/// input, compiling and running must end in a result or a reported error, never an exception.
/// </summary>
public sealed class RandomScriptTests
{
    private static readonly string[] Pieces =
    [
        "require", "[\"variables\", \"relational\", \"imap4flags\", \"fileinto\", \"encoded-character\"]", "\"envelope\"",
        "if", "elsif", "else", "not", "anyof", "allof", "true", "false", "header", "address", "envelope", "exists",
        "size", "string", "set", "keep", "discard", "stop", "redirect", "fileinto", "addflag", "hasflag",
        ":is", ":contains", ":matches", ":count", ":value", "\"ge\"", ":comparator", "\"i;ascii-numeric\"",
        ":over", ":under", ":all", ":domain", ":localpart", ":lower", ":length", ":flags",
        "\"subject\"", "\"to\"", "\"*a*\"", "\"${1}\"", "\"${x}\"", "\"${hex:41}\"", "\"${unicode:D800}\"",
        "\"a@example.org\"", "[\"a\", \"b\"]", "10K", "99999999999999999999", "text:\nx\n.\n",
        "{", "}", "(", ")", "[", "]", ",", ";", ";", ";", "$", "#c\n", "/*", "*/", "\"",
    ];

    [Test]
    public void RandomScriptsNeverThrow()
    {
        var random = new Random(20261204);
        var message = SimpleSieveMessage.FromText(SieveTestHelper.DefaultMessage);
        int compiled = 0;
        for (int i = 0; i < 3000; i++)
        {
            // Half are token soup; half follow the grammar, sometimes with one piece swapped for noise.
            string script;
            if (i % 2 == 0)
            {
                int length = random.Next(1, 60);
                script = string.Join(' ', Enumerable.Range(0, length).Select(_ => Pieces[random.Next(Pieces.Length)]));
            }
            else
            {
                script = Header + Commands(random, 3);
                if (random.Next(3) == 0)
                {
                    string[] words = script.Split(' ');
                    words[random.Next(words.Length)] = Pieces[random.Next(Pieces.Length)];
                    script = string.Join(' ', words);
                }
            }
            SieveCompileResult result = SieveCompiler.Compile(script);
            Assert.That(result.Success || result.Errors.Count > 0, Is.True, script);
            if (result.Script is { } s)
            {
                compiled++;
                SieveResult run = SieveInterpreter.Run(s, new SieveRunContext { Message = message, Limits = new SieveLimits { Redirects = 4 } });
                Assert.That(run.Actions, Is.Not.Empty, script);
                Assert.That(run.Status, Is.Not.EqualTo(SieveRunStatus.BudgetExhausted), script);
            }
        }
        // The generator must produce some valid scripts too, or the run half is not exercised.
        Assert.That(compiled, Is.GreaterThan(500));
    }

    private const string Header = "require [\"variables\", \"relational\", \"imap4flags\", \"fileinto\", \"envelope\", \"comparator-i;ascii-numeric\"]; ";

    private static readonly string[] Actions =
    [
        "keep;", "discard;", "stop;", "fileinto \"box${1}\";", "redirect \"a@example.org\";",
        "set :lower \"x\" \"${1}X\";", "addflag \"\\\\Seen ${x}\";", "keep :flags \"a b\";",
    ];

    private static readonly string[] Tests =
    [
        "true", "false", "header :contains \"subject\" \"money\"", "header :matches \"subject\" \"*a?*\"",
        "address :domain :is \"from\" \"example.org\"", "envelope :all :matches \"to\" \"*\"",
        "size :over 1K", "exists \"cc\"", "string :count \"ge\" :comparator \"i;ascii-numeric\" \"${x}\" \"1\"",
        "hasflag :contains \"Seen\"", "header :value \"gt\" :comparator \"i;ascii-numeric\" \"x-spam-score\" \"5\"",
    ];

    private static string Test(Random random, int depth) => (depth <= 0 ? 3 : random.Next(4)) switch
    {
        0 => "not " + Test(random, depth - 1),
        1 => $"anyof ({Test(random, depth - 1)}, {Test(random, depth - 1)})",
        2 => $"allof ({Test(random, depth - 1)}, {Test(random, depth - 1)})",
        _ => Tests[random.Next(Tests.Length)],
    };

    private static string Commands(Random random, int depth)
    {
        var parts = new List<string>();
        int count = random.Next(1, 5);
        for (int i = 0; i < count; i++)
        {
            if (depth > 0 && random.Next(3) == 0)
            {
                string chain = $"if {Test(random, 2)} {{ {Commands(random, depth - 1)} }}";
                if (random.Next(2) == 0)
                {
                    chain += $" elsif {Test(random, 2)} {{ {Commands(random, depth - 1)} }}";
                }
                if (random.Next(2) == 0)
                {
                    chain += $" else {{ {Commands(random, depth - 1)} }}";
                }
                parts.Add(chain);
            }
            else
            {
                parts.Add(Actions[random.Next(Actions.Length)]);
            }
        }
        return string.Join(' ', parts);
    }

    [Test]
    public void RandomMessagesNeverThrow()
    {
        var random = new Random(7);
        SieveScript script = SieveTestHelper.CompileOk("""
            require ["envelope", "variables", "subaddress"];
            if address :matches :all ["from", "to", "cc"] "*@*" { set "d" "${2}"; }
            if address :detail "to" "x" { keep; }
            if envelope :domain "from" "example.org" { discard; }
            if header :contains "subject" "=?" { stop; }
            """);
        const string alphabet = "abc@<>\",;:()[]\\ \t=?Q?B?_-.\r\n";
        for (int i = 0; i < 2000; i++)
        {
            string Noise(int n) => new(Enumerable.Range(0, n).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            string text = $"From: {Noise(30)}\r\nTo: {Noise(30)}\r\nCc: =?{Noise(10)}?=\r\nSubject: {Noise(20)}\r\n\r\n";
            SieveResult run = SieveInterpreter.Run(script, new SieveRunContext
            {
                Message = SimpleSieveMessage.FromText(text),
                Envelope = new SieveEnvelope { From = Noise(15), To = [Noise(15)] },
            });
            Assert.That(run.Status, Is.EqualTo(SieveRunStatus.Completed), run.Error?.ToString());
        }
    }
}
