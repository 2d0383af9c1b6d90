namespace Sluice.Sieve.Tests.Unit;

/// <summary>Every kind of compile error the validator reports, each with where it is.</summary>
public sealed class CompileErrorTests
{
    private static string[] Errors(string script) =>
        SieveCompiler.Compile(script).Errors.Select(e => e.Message).ToArray();

    [TestCase("frop;", "unknown command 'frop'")]
    [TestCase("if frop { }", "unknown test 'frop'")]
    [TestCase("header \"a\" \"b\";", "attempted to use test 'header' as command")]
    [TestCase("if keep { }", "attempted to use command 'keep' as test")]
    [TestCase("if header :frop \"a\" \"b\" { }", "unknown tagged argument ':frop' for the header test")]
    [TestCase("if size :over :over 1 { }", "encountered duplicate :over argument")]
    [TestCase("if size :over :under 1 { }", "encountered duplicate size argument (:under)")]
    [TestCase("if header :is :contains \"a\" \"b\" { }", "encountered duplicate match type argument (:contains)")]
    [TestCase("if address \"to\" :is \"b\" { }", "unexpected tagged argument ':is' while validating positional arguments")]
    [TestCase("if header \"a\" { }", "requires 2 positional argument(s), but 1 is/are specified")]
    [TestCase("if header 1 \"a\" { }", "expects a string list as argument 1 (header names), but a number was found")]
    [TestCase("redirect [\"a@b.c\"];", "expects a string as argument 1 (address), but a string list was found")]
    [TestCase("if size 3 { }", "requires either the :under or the :over tag")]
    [TestCase("if header :comparator 5 \"a\" \"b\" { }", "the :comparator tag for the header test requires a string as parameter, but a number was found")]
    [TestCase("if header :comparator { }", "requires a string as parameter, but no parameters were found")]
    [TestCase("if header :comparator \"i;frop\" \"a\" \"b\" { }", "unknown comparator 'i;frop'")]
    [TestCase("if header :comparator \"i;ascii-numeric\" \"a\" \"b\" { }", "unknown comparator 'i;ascii-numeric'")]
    [TestCase("require \"comparator-i;ascii-numeric\"; if header :contains :comparator \"i;ascii-numeric\" \"a\" \"b\" { }", "requires a comparator with substring matching")]
    [TestCase("require \"relational\"; if header :count \"frop\" \"a\" \"b\" { }", "invalid relational match type 'frop'")]
    [TestCase("keep true;", "the keep command accepts no sub-tests")]
    [TestCase("keep frop;", "missing semicolon ';' after keep command")]
    [TestCase("if address matches \"a\" \"b\" { }", "missing colon ':' before ':matches' tag in address test")]
    [TestCase("if { }", "the if command requires one sub-test, but none is specified")]
    [TestCase("if (true) { }", "requires one sub-test, but a list of tests is specified")]
    [TestCase("if anyof true { }", "requires a list of sub-tests, but a single test is specified")]
    [TestCase("if allof { }", "requires a list of sub-tests, but none is specified")]
    [TestCase("if true;", "the if command requires a command block, but it is missing")]
    [TestCase("keep { }", "the keep command does not accept a command block")]
    [TestCase("else { }", "the else command must follow an if or elseif command")]
    [TestCase("require \"frop\";", "unknown Sieve capability 'frop'")]
    [TestCase("keep; require \"fileinto\";", "require commands can only be placed at top level at the beginning of the file")]
    [TestCase("if true { require \"fileinto\"; }", "require commands can only be placed at top level")]
    [TestCase("fileinto \"x\";", "unknown command 'fileinto'")]
    [TestCase("if address :is \"subject\" \"x\" { }", "specified header 'subject' is not allowed for the address test")]
    [TestCase("require \"envelope\"; if envelope \"frop\" \"x\" { }", "specified envelope part 'frop' is not supported")]
    [TestCase("redirect \"not an address\";", "specified redirect address 'not an address' is invalid")]
    [TestCase("require \"variables\"; set \"a.b\" \"x\";", "refers to unknown namespace 'a'")]
    [TestCase("require \"variables\"; set \"1a\" \"x\";", "invalid variable name '1a'")]
    [TestCase("require \"variables\"; set \"0\" \"x\";", "cannot assign to match variable")]
    [TestCase("require \"variables\"; set :lower :upper \"a\" \"x\";", "encountered duplicate precedence 40 modifier argument (:upper)")]
    [TestCase("require \"variables\"; keep :flags \"${33}\";", "unknown tagged argument ':flags'")]
    [TestCase("require [\"variables\", \"fileinto\"]; fileinto \"${33}\";", "match value index 33 exceeds the maximum of 32")]
    [TestCase("require [\"variables\"]; if header :comparator \"${c}\" \"a\" \"b\" { }", "must be a constant string")]
    [TestCase("require [\"encoded-character\", \"fileinto\"]; fileinto \"${unicode:110000}\";", "invalid unicode character")]
    [TestCase("require \"imap4flags\"; setflag;", "requires one or two positional arguments, but 0 were specified")]
    [TestCase("require \"imap4flags\"; setflag \"var\" \"x\";", "can only name a variable when the variables extension is required")]
    public void ReportsError(string script, string expected)
    {
        string[] errors = Errors(script);
        Assert.That(errors, Has.Some.Contains(expected), string.Join("\n", errors));
        // A failed compile always ends with the summary line, like Pigeonhole's counts expect.
        Assert.That(errors[^1], Is.AnyOf("validation failed", "parse failed"));
    }

    [Test]
    public void UnknownCommandIsReportedOnlyOnce()
    {
        string[] errors = Errors("frop; frop; frop;");
        Assert.That(errors.Count(e => e.Contains("frop", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public void BlockUnderConstantFalseIsNotChecked()
    {
        Assert.That(SieveCompiler.Compile("if false { frop; }").Success, Is.True);
        Assert.That(SieveCompiler.Compile("if true { frop; }").Success, Is.False);
    }

    [Test]
    public void VariableLimitIsReportedOnce()
    {
        string sets = string.Concat(Enumerable.Range(0, 300).Select(i => $"set \"v{i}\" \"x\";\n"));
        string[] errors = Errors("require \"variables\";\n" + sets);
        Assert.That(errors.Count(e => e.Contains("exceeds the limit", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public void EveryErrorIsReportedNotJustTheFirst()
    {
        string[] errors = Errors("frop;\nif header 1 \"a\" { }\nkeep true;\nif size 3 { }\n");
        Assert.That(errors, Has.Length.EqualTo(5));
    }
}
