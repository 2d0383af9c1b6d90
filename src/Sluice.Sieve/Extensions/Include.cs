using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;
using static Sluice.Sieve.Compiler.DelegateCommand;

namespace Sluice.Sieve.Extensions;

/// <summary>A script an include refers to; filled when its compile ends (an include :once of a script
/// still being compiled refers to it before that).</summary>
internal sealed class IncludedScript
{
    public SieveScript? Script { get; set; }
}

/// <summary>What one compile knows about its includes: scripts compiled, the chain being compiled.</summary>
internal sealed class IncludeContext
{
    public Dictionary<(bool Global, string Name), IncludedScript> Compiled { get; } = [];

    /// <summary>The scripts being compiled now, outermost first (a script on it including itself is a loop).</summary>
    public List<(bool Global, string Name)> Chain { get; } = [];
}

/// <summary>
/// include (RFC 6609): include, return and global. Included scripts are compiled with the script that
/// includes them (through SieveSettings.IncludeResolver), so their errors are compile errors; loops
/// and the nesting and count limits are found then. At run time an included script runs with its own
/// variables, the global ones shared; return ends it, stop ends everything.
/// </summary>
internal sealed class Include : SieveExtension
{
    /// <summary>Whatever the settings say, includes nest no deeper than this: each level is a compile (and a run) on the stack.</summary>
    public const int HardNestingLimit = 64;

    public override string Name => "include";

    public override void Register(ExtensionRegistry registry)
    {
        registry.AddCommand(new DelegateCommand("include", CommandKind.Command, BuildInclude)
        {
            Args = [Str("script name")],
            OwnTags =
            [
                new TagDefinition("personal", Group: "location"),
                new TagDefinition("global", Group: "location"),
                new TagDefinition("once"),
                new TagDefinition("optional"),
            ],
        });
        registry.AddCommand(new DelegateCommand("return", CommandKind.Command, (_, c) =>
            new ActionInstruction(s => s.Returning = true, c.Node.Line, c.Node.Column)));
        registry.AddCommand(new DelegateCommand("global", CommandKind.Command, BuildGlobal) { Args = [List("variable names")] });
    }

    /// <summary>Script names are not paths and have no controls or line separators (RFC 6609 §3.2, RFC 5804 §1.6).</summary>
    private static bool IsValidName(string name) =>
        name.Length > 0 && name.Length <= 255 && !name.Contains('/', StringComparison.Ordinal) &&
        !name.Any(c => c < 0x20 || c is >= '\u007f' and <= '\u009f' || c is '\u2028' or '\u2029');

    private static object? BuildInclude(BuildContext context, BoundCommand command)
    {
        AstString literal = ((AstStringList)command.Positional[0]).Items[0];
        if (context.Compiler.ContainsVariableReference(literal.Value))
        {
            context.Error(literal, "the include command requires a constant script name");
            return null;
        }
        StringValue? nameValue = context.String(literal);
        if (nameValue is not ConstantString constant)
        {
            return null;
        }
        string name = constant.Value;
        if (!IsValidName(name))
        {
            context.Error(literal, $"include: invalid script name '{Escape(name)}'");
            return null;
        }
        bool global = command.HasTag("global");
        bool optional = command.HasTag("optional");
        bool once = command.HasTag("once");
        SieveSettings settings = context.Compiler.Options.Settings;
        IncludeContext includes = context.Compiler.Includes;
        var key = (global, name);
        int line = command.Node.Line;
        int column = command.Node.Column;
        if (includes.Chain.Contains(key) && !once)
        {
            context.Error(command.Node, $"include: circular include of script '{name}'");
            return null;
        }
        if (!includes.Compiled.TryGetValue(key, out IncludedScript? holder))
        {
            int maxNesting = Math.Min(settings.IncludeMaxNesting, HardNestingLimit);
            if (includes.Chain.Count >= maxNesting)
            {
                context.Error(command.Node, $"include: cannot nest includes deeper than {maxNesting} levels (including '{name}')");
                return null;
            }
            if (includes.Compiled.Count >= settings.IncludeMaxIncludes)
            {
                context.Error(command.Node, $"include: the script includes more than {settings.IncludeMaxIncludes} scripts (including '{name}')");
                return null;
            }
            string? text = settings.IncludeResolver?.Invoke(name, global);
            if (text is null)
            {
                if (optional)
                {
                    return new ActionInstruction(_ => { }, line, column);
                }
                context.Error(command.Node, $"include: {(global ? "global" : "personal")} script '{name}' does not exist");
                return null;
            }
            holder = new IncludedScript();
            includes.Compiled[key] = holder;
            includes.Chain.Add(key);
            SieveScript? script;
            Diagnostics diagnostics = context.Compiler.Diagnostics;
            string oldPrefix = diagnostics.Prefix;
            diagnostics.Prefix = $"{oldPrefix}in included script '{name}': ";
            try
            {
                script = new ScriptCompiler(context.Compiler).CompileIncluded(text);
            }
            finally
            {
                diagnostics.Prefix = oldPrefix;
                includes.Chain.RemoveAt(includes.Chain.Count - 1);
            }
            if (script is null)
            {
                context.Error(command.Node, $"include: failed to compile included script '{name}'");
                return null;
            }
            holder.Script = script;
        }
        IncludedScript included = holder;
        return new ActionInstruction(s => Run(s, included.Script!, once, name), line, column);
    }

    private static string Escape(string name) =>
        string.Concat(name.Select(c => char.IsControl(c) || c is '\u2028' or '\u2029' ? $"\\u{(int)c:x4}" : c.ToString()));

    private static void Run(RunState state, SieveScript script, bool once, string name)
    {
        // Every run is recorded: an include :once skips a script that any include already ran.
        if (!state.IncludedOnce.Add(script) && once)
        {
            return;
        }
        if (state.IncludeDepth >= Math.Clamp(state.Settings.IncludeMaxNesting, 1, HardNestingLimit))
        {
            throw new SieveRuntimeException($"include: nesting of includes exceeds {state.Settings.IncludeMaxNesting} levels (at '{name}')");
        }
        var locals = new string[script.VariableCount];
        Array.Fill(locals, "");
        string[] caller = state.SwapVariables(locals);
        int pc = state.ProgramCounter;
        state.IncludeDepth++;
        int loops = state.PartLoops.Count;
        try
        {
            SieveError? error = SieveInterpreter.Execute(script, state, 0, out bool exhausted);
            if (error is not null)
            {
                throw new SieveRuntimeException($"in included script '{name}' at line {error.Line}: {error.Message}", exhausted);
            }
        }
        finally
        {
            state.IncludeDepth--;
            state.Returning = false;
            state.SwapVariables(caller);
            state.ProgramCounter = pc;
            // A loop the included script left by return ends with it.
            while (state.PartLoops.Count > loops)
            {
                state.PartLoops.RemoveAt(state.PartLoops.Count - 1);
            }
        }
    }

    private static object? BuildGlobal(BuildContext context, BoundCommand command)
    {
        if (!context.IsRequired("variables"))
        {
            context.Error(command.Node, "the global command requires the variables extension");
            return null;
        }
        bool ok = true;
        foreach (AstString name in ((AstStringList)command.Positional[0]).Items)
        {
            ok &= Variables.DeclareGlobal(context, name);
        }
        return ok ? new ActionInstruction(_ => { }, command.Node.Line, command.Node.Column) : null;
    }
}
