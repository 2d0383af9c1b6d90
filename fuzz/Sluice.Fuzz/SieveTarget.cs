using System.Text;
using Sluice.Sieve;

namespace Sluice.Fuzz;

/// <summary>
/// The <c>sieve</c> target: the Sieve lexer, parser and compiler on arbitrary script text, with the
/// options Sluice compiles its scripts with. A script that compiles is also run once, under the
/// default limits, against a small fixed message. Errors in the compile result and a run that
/// ends with an error status are the documented outcomes; any exception is a finding.
/// </summary>
public static class SieveTarget
{
    private const string Message =
        "Received: from a.example by b.example; Sat, 5 Dec 2026 00:00:00 +0000\r\n"
        + "From: Jane <jane@example.org>\r\n"
        + "To: bob@example.com, \"Carol\" <carol+tag@example.net>\r\n"
        + "Subject: =?UTF-8?B?SGVsbG8gd29ybGQ=?=\r\n"
        + "Date: Sat, 5 Dec 2026 00:00:00 +0000\r\n"
        + "MIME-Version: 1.0\r\n"
        + "Content-Type: multipart/mixed; boundary=b\r\n"
        + "\r\n"
        + "--b\r\nContent-Type: text/plain\r\n\r\nHello\r\n"
        + "--b\r\nContent-Type: text/html\r\n\r\n<p>Hello</p>\r\n"
        + "--b--\r\n";

    private const string Included = "require \"variables\"; set \"included\" \"yes\"; keep;";

    public static void Run(ReadOnlySpan<byte> input)
    {
        string text = Encoding.UTF8.GetString(input);
        var options = new SieveCompileOptions
        {
            VariableNamespaces = new HashSet<string>(["env", "envelope"], StringComparer.OrdinalIgnoreCase),
            Settings = SieveSettings.Default with
            {
                // "self" includes the script itself, so include's nesting bound is exercised too.
                IncludeResolver = (name, _) => name switch
                {
                    "self" => text,
                    "other" => Included,
                    _ => null,
                },
                IsValidList = list => list == "lists/known",
            },
        };

        var compiled = SieveCompiler.Compile(text, options);
        if (compiled.Success != (compiled.Errors.Count == 0))
        {
            throw new FuzzFindingException($"compile result: success={compiled.Success} with {compiled.Errors.Count} error(s)");
        }

        foreach (var diagnostic in compiled.Diagnostics)
        {
            if (string.IsNullOrEmpty(diagnostic.Message) || diagnostic.Line < 0 || diagnostic.Column < 0)
            {
                throw new FuzzFindingException($"a diagnostic without a message or a position: {diagnostic}");
            }
        }

        if (compiled.Script is { } script)
        {
            var result = SieveInterpreter.Run(script, new SieveRunContext
            {
                Message = SimpleSieveMessage.FromText(Message),
                Envelope = new SieveEnvelope { From = "jane@example.org", To = ["bob+box@example.com"], Auth = "jane" },
                NamespaceVariables = new Dictionary<string, string> { ["env.remote-ip"] = "192.0.2.1" },
            });
            _ = result.Actions.Count;
        }
    }
}
