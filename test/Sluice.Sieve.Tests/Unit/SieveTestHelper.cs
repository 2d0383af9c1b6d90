namespace Sluice.Sieve.Tests.Unit;

/// <summary>Compiles and runs scripts for the unit tests.</summary>
internal static class SieveTestHelper
{
    public const string DefaultMessage =
        "From: Stephan Bosch <stephan+sieve@example.org>\r\n" +
        "To: nico@frop.example.com, \"Tss\" <tss@example.net>\r\n" +
        "Cc: =?UTF-8?Q?J=C3=BCrgen?= <juergen@example.com>\r\n" +
        "Subject: Make money fast\r\n" +
        "X-Spam-Score: 7\r\n" +
        "\r\n" +
        "Body text.\r\n";

    public static SieveCompileResult Compile(string script, SieveCompileOptions? options = null) =>
        SieveCompiler.Compile(script, options);

    public static SieveScript CompileOk(string script, SieveCompileOptions? options = null)
    {
        SieveCompileResult result = SieveCompiler.Compile(script, options);
        Assert.That(result.Errors, Is.Empty, string.Join("\n", result.Errors));
        return result.Script!;
    }

    public static SieveResult Run(
        string script,
        string? message = null,
        SieveEnvelope? envelope = null,
        ISieveHost? host = null,
        SieveLimits? limits = null,
        SieveCompileOptions? options = null,
        IReadOnlyDictionary<string, string>? namespaces = null,
        SieveSettings? settings = null)
    {
        settings ??= options?.Settings ?? SieveSettings.Default;
        SieveScript compiled = CompileOk(script, options ?? new SieveCompileOptions { Settings = settings });
        return SieveInterpreter.Run(compiled, new SieveRunContext
        {
            Message = SimpleSieveMessage.FromText(message ?? DefaultMessage),
            Envelope = envelope ?? new SieveEnvelope { From = "sender@example.org", To = ["rcpt+box@example.net"] },
            Host = host ?? new SieveHost(),
            Limits = limits ?? new SieveLimits(),
            NamespaceVariables = namespaces ?? new Dictionary<string, string>(),
            Settings = settings,
        });
    }

    /// <summary>The action names of a completed run, implicit keep included.</summary>
    public static string[] Names(SieveResult result)
    {
        Assert.That(result.Status, Is.EqualTo(SieveRunStatus.Completed), result.Error?.ToString());
        return result.Actions.Select(a => a.Name).ToArray();
    }

    /// <summary>Runs a script whose only output is whether it reached "discard" (a test's truth).</summary>
    public static bool Holds(string requires, string test, string? message = null, SieveEnvelope? envelope = null, ISieveHost? host = null)
    {
        SieveResult result = Run($"{requires}\nif {test} {{ discard; }}", message, envelope, host);
        return Names(result).Contains("discard");
    }
}
