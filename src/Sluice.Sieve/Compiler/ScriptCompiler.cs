using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;

namespace Sluice.Sieve.Compiler;

/// <summary>
/// Validates the syntax tree and emits the instruction list in one walk. Validation follows the order
/// RFC 5228 implies (command known, used as command or test, tags, positional arguments, sub-tests,
/// block, then the command's own checks) and goes on after an error so every error is reported.
/// </summary>
internal sealed partial class ScriptCompiler
{
    private readonly HashSet<string> _unknownCommands = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _unknownTags = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<object, object> _state = [];
    private readonly HashSet<SieveExtension> _required = [];
    private readonly List<string> _requiredNames = [];

    public ScriptCompiler(SieveCompileOptions options)
    {
        Options = options;
        Registry = options.Extensions.Registry;
        Diagnostics = new Diagnostics(options.MaxErrors);
        Includes = new Extensions.IncludeContext();
    }

    /// <summary>A compiler for a script another includes: it shares the errors and the include bookkeeping.</summary>
    public ScriptCompiler(ScriptCompiler parent)
    {
        Options = parent.Options;
        Registry = parent.Registry;
        Diagnostics = parent.Diagnostics;
        Includes = parent.Includes;
    }

    /// <summary>Scripts included so far in this compile (RFC 6609): shared by every nested compile.</summary>
    public Extensions.IncludeContext Includes { get; }

    /// <summary>Compiles an included script; null after errors (reported into the shared diagnostics).</summary>
    public SieveScript? CompileIncluded(string text)
    {
        int before = Diagnostics.ErrorCount;
        var parser = new Parser(text, Diagnostics, Options.MaxStringLength);
        List<AstNode>? root = parser.ParseScript();
        if (root is null || Diagnostics.ErrorCount > before)
        {
            return null;
        }
        Emit = new EmitContext(this);
        Emit.CompileBlock(root, topLevel: true);
        CheckNeeds();
        if (Diagnostics.ErrorCount > before)
        {
            return null;
        }
        return new SieveScript(Emit.Finish(), VariableCount, _requiredNames.ToArray());
    }

    public SieveCompileOptions Options { get; }

    public ExtensionRegistry Registry { get; }

    public Diagnostics Diagnostics { get; }

    public EmitContext Emit { get; private set; } = null!;

    /// <summary>Number of variables the script declared (set by the variables extension).</summary>
    public int VariableCount { get; set; }

    public SieveCompileResult Compile(string text)
    {
        var parser = new Parser(text, Diagnostics, Options.MaxStringLength);
        List<AstNode>? root = parser.ParseScript();
        // A failed compile ends with one summary line, as Pigeonhole's does (its suite counts it).
        if (root is null)
        {
            Diagnostics.Error(1, 1, "parse failed");
            return new SieveCompileResult(null, Diagnostics.Items);
        }
        Emit = new EmitContext(this);
        Emit.CompileBlock(root, topLevel: true);
        CheckNeeds();
        if (Diagnostics.ErrorCount > 0)
        {
            Diagnostics.Error(1, 1, "validation failed");
            return new SieveCompileResult(null, Diagnostics.Items);
        }
        var script = new SieveScript(Emit.Finish(), VariableCount, _requiredNames.ToArray());
        return new SieveCompileResult(script, Diagnostics.Items);
    }

    private void CheckNeeds()
    {
        foreach (SieveExtension ext in _required)
        {
            foreach (string need in ext.Needs)
            {
                if (!IsRequired(need))
                {
                    Error(1, 1, $"the {ext.Name} extension cannot be used without the {need} extension (require it too)");
                }
            }
        }
    }

    public T State<T>(object key, Func<T> create)
        where T : class
    {
        if (!_state.TryGetValue(key, out object? value))
        {
            value = create();
            _state[key] = value;
        }
        return (T)value;
    }

    public bool IsAvailable(SieveExtension extension) => extension.Name.Length == 0 || _required.Contains(extension);

    public bool IsRequired(string capability) =>
        Registry.Capabilities.TryGetValue(capability, out SieveExtension? ext) && _required.Contains(ext);

    /// <summary>Loads a required capability; false when no extension provides it.</summary>
    public bool Require(string capability)
    {
        if (!Registry.Capabilities.TryGetValue(capability, out SieveExtension? ext) || !ext.IsRequirable)
        {
            return false;
        }
        if (_required.Add(ext))
        {
            _requiredNames.Add(capability);
        }
        else if (!_requiredNames.Contains(capability))
        {
            _requiredNames.Add(capability);
        }
        return true;
    }

    private void Error(int line, int column, string message) => Diagnostics.Error(line, column, message);

    /// <summary>Finds the definition of a node and checks it is used as its kind; null after reporting.</summary>
    private CommandDefinition? Resolve(AstNode node)
    {
        if (!Registry.Commands.TryGetValue(node.Name, out Registered<CommandDefinition> reg) || !IsAvailable(reg.Extension))
        {
            // Reported once per name: a script using an unknown command often uses it many times.
            if (_unknownCommands.Add(node.Name))
            {
                Error(node.Line, node.Column, $"unknown {node.KindName} '{node.Name}' (only reported once at first occurence)");
            }
            return null;
        }
        CommandDefinition def = reg.Item;
        bool wantTest = def.Kind == CommandKind.Test;
        if (def.Kind != CommandKind.Hybrid && wantTest != node.IsTest)
        {
            Error(node.Line, node.Column, $"attempted to use {def.KindName} '{node.Name}' as {node.KindName}");
            return null;
        }
        return def;
    }

    /// <summary>Validates and builds one command; returns the compiled form or null after errors.</summary>
    public object? CompileNode(AstNode node, BuildContext context, out BoundCommand? bound)
    {
        bound = null;
        CommandDefinition? def = Resolve(node);
        if (def is null)
        {
            return null;
        }
        var command = new BoundCommand(node, def);
        bound = command;
        bool ok;
        if (!BindArguments(command))
        {
            ok = false;
            // A tag written without its ':' parses as a test; say so too, it is likely the cause.
            CheckSubTests(command);
        }
        else
        {
            ok = CheckSubTests(command) && (node.IsTest || CheckBlock(command)) && CheckArgumentTypes(command) && CheckFamilies(command);
        }

        if (def.SubTests > 0)
        {
            foreach (AstNode test in node.Tests)
            {
                TestExpression? compiled = CompileTest(test, context);
                command.Tests.Add(compiled);
                ok &= compiled is not null;
            }
        }
        if (!ok)
        {
            return null;
        }
        return def.Build(context, command);
    }

    public TestExpression? CompileTest(AstNode node, BuildContext parent)
    {
        var context = parent.ForChild(node);
        object? compiled = CompileNode(node, context, out _);
        return compiled as TestExpression;
    }
}
