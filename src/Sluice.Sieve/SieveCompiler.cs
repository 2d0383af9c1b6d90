using Sluice.Sieve.Compiler;

namespace Sluice.Sieve;

public static class SieveCompiler
{
    /// <summary>Compiles script text. Never throws for bad scripts: every problem is in the result's errors.</summary>
    public static SieveCompileResult Compile(string text, SieveCompileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new ScriptCompiler(options ?? SieveCompileOptions.Default).Compile(text);
    }
}
