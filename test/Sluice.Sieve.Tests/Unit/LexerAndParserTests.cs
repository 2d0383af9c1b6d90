namespace Sluice.Sieve.Tests.Unit;

public sealed class LexerAndParserTests
{
    [Test]
    public void MultiLineStringRemovesDotStuffingAndEndsLinesWithCrlf()
    {
        SieveResult result = SieveTestHelper.Run("require \"variables\";\nset \"t\" text: # comment\n..a\nb\n.\n;\nif string :is \"${t}\" \".a\\r\\nb\\r\\n\" { discard; }".Replace("\\r\\n", "\r\n", StringComparison.Ordinal));
        Assert.That(SieveTestHelper.Names(result), Is.EqualTo(new[] { "discard" }));
    }

    [TestCase("1K", 1024UL)]
    [TestCase("2m", 2UL * 1024 * 1024)]
    [TestCase("3G", 3UL * 1024 * 1024 * 1024)]
    [TestCase("18446744073709551615", ulong.MaxValue)]
    public void NumbersTakeQuantifiers(string literal, ulong value)
    {
        // size :under N is true for the message when N is above its size.
        bool under = SieveTestHelper.Holds("", $"size :under {literal}");
        Assert.That(under, Is.EqualTo(value > 200));
    }

    [TestCase("18446744073709551616")]
    [TestCase("17179869184G")]
    public void NumberOverflowIsAnError(string literal)
    {
        SieveCompileResult result = SieveCompiler.Compile($"if size :over {literal} {{ stop; }}");
        Assert.That(result.Success, Is.False);
        Assert.That(result.Errors[0].Message, Does.Contain("number exceeds"));
        Assert.That((result.Errors[0].Line, result.Errors[0].Column), Is.EqualTo((1, 15)));
    }

    [Test]
    public void ErrorsCarryLineAndColumn()
    {
        SieveCompileResult result = SieveCompiler.Compile("keep;\n  frop;\n");
        SieveError error = result.Errors[0];
        Assert.That((error.Line, error.Column), Is.EqualTo((2, 3)));
        Assert.That(error.Message, Does.Contain("unknown command 'frop'"));
    }

    [Test]
    public void UnterminatedStringAndCommentAreReported()
    {
        Assert.That(SieveCompiler.Compile("keep \"abc").Errors[0].Message, Does.Contain("end of quoted string"));
        Assert.That(SieveCompiler.Compile("keep; /* never closed").Errors[0].Message, Does.Contain("bracket comment"));
        Assert.That(SieveCompiler.Compile("require \"variables\"; set \"a\" text:\nno end\n").Errors[0].Message, Does.Contain("multi-line"));
    }

    [Test]
    public void OverlongIdentifierAndGarbageAreReportedOnce()
    {
        SieveCompileResult result = SieveCompiler.Compile("if this_is_an_identifier_longer_than_32_chars { stop; }\nfrop $$$$;\n");
        string[] messages = result.Errors.Select(e => e.Message).ToArray();
        Assert.That(messages.Count(m => m.Contains("impossibly long", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(messages.Count(m => m.Contains("unexpected character", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(messages[^1], Is.EqualTo("parse failed"));
    }

    [Test]
    public void EveryMissingSemicolonIsReported()
    {
        // "keep redirect ..." parses as keep with a sub-test; the validator names the likely cause.
        SieveCompileResult result = SieveCompiler.Compile("keep\nredirect \"a@example.org\";\ndiscard\nredirect \"b@example.org\";\nkeep;");
        Assert.That(result.Errors.Count(e => e.Message.StartsWith("missing semicolon", StringComparison.Ordinal)), Is.EqualTo(2));
    }

    [Test]
    public void ParserRecoversInsideBlocks()
    {
        SieveCompileResult result = SieveCompiler.Compile("if true {\n keep,\n keep\n}\nif true { discard }\nkeep;");
        Assert.That(result.Errors.Count(e => e.Message.StartsWith("expected end of command", StringComparison.Ordinal)), Is.EqualTo(2));
        Assert.That(result.Errors[^1].Message, Is.EqualTo("parse failed"));
    }

    [Test]
    public void TooManyArgumentsIsAParseError()
    {
        string args = string.Join(' ', Enumerable.Repeat("\"x\"", 40));
        SieveCompileResult result = SieveCompiler.Compile($"frop {args};");
        Assert.That(result.Errors[0].Message, Does.Contain("too many arguments"));
    }

    [Test]
    public void CommentsAndCaseInsensitiveIdentifiers()
    {
        SieveResult result = SieveTestHelper.Run("# hash comment\n/* bracket\ncomment */ IF SIZE :OVER 1 { DisCard; }");
        Assert.That(SieveTestHelper.Names(result), Is.EqualTo(new[] { "discard" }));
    }

    [Test]
    public void UnknownEscapesInQuotedStringsKeepTheCharacter()
    {
        Assert.That(SieveTestHelper.Holds("require \"variables\";", "string :is \"\\a\\\\\\\"\" \"a\\\\\\\"\""), Is.True);
    }
}
