using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;

namespace Sluice.Sieve.Compiler;

/// <summary>What a command's Build sees: its place in the script, error reporting and argument compilers.</summary>
internal sealed class BuildContext
{
    public BuildContext(ScriptCompiler compiler, AstNode node, AstNode? previous, bool topLevel, bool onlyRequiresBefore)
    {
        Compiler = compiler;
        Node = node;
        Previous = previous;
        TopLevel = topLevel;
        OnlyRequiresBefore = onlyRequiresBefore;
    }

    public ScriptCompiler Compiler { get; }

    public AstNode Node { get; }

    /// <summary>The command before this one in the same block (elsif/else look at it).</summary>
    public AstNode? Previous { get; }

    public bool TopLevel { get; }

    /// <summary>Every command before this one at top level was a require.</summary>
    public bool OnlyRequiresBefore { get; }

    public EmitContext Emit => Compiler.Emit;

    public BuildContext ForChild(AstNode node) => new(Compiler, node, null, false, false);

    public bool IsRequired(string capability) => Compiler.IsRequired(capability);

    public void Error(int line, int column, string message) => Compiler.Diagnostics.Error(line, column, message);

    public void Error(AstNode node, string message) => Error(node.Line, node.Column, message);

    public void Error(AstArgument argument, string message) => Error(argument.Line, argument.Column, message);

    public void Error(AstString value, string message) => Error(value.Line, value.Column, message);

    public void Warning(AstNode node, string message) => Compiler.Diagnostics.Warning(node.Line, node.Column, message);

    public T State<T>(object key, Func<T> create)
        where T : class => Compiler.State(key, create);

    /// <summary>Compiles one string: encoded characters, then variable references. Null after an error.</summary>
    public StringValue? String(AstString value)
    {
        string text = value.Value;
        ExtensionRegistry registry = Compiler.Registry;
        if (registry.TextTransform is { } transform && Compiler.IsAvailable(transform.Extension))
        {
            string? result = transform.Item(this, value);
            if (result is null)
            {
                return null;
            }
            text = result;
        }
        if (registry.TemplateBuilder is { } builder && Compiler.IsAvailable(builder.Extension))
        {
            return builder.Item(this, value, text);
        }
        return StringValue.Constant(text);
    }

    public StringValue? String(AstArgument argument) => String(((AstStringList)argument).Items[0]);

    /// <summary>Compiles every string of a list; null if any failed (all are still checked).</summary>
    public StringListValue? StringList(AstArgument argument)
    {
        var list = (AstStringList)argument;
        var items = new List<StringValue>(list.Items.Count);
        bool ok = true;
        foreach (AstString s in list.Items)
        {
            StringValue? v = String(s);
            if (v is null)
            {
                ok = false;
            }
            else
            {
                items.Add(v);
            }
        }
        return ok ? new StringListValue(items) : null;
    }

    /// <summary>The match type, comparator and relation of a command, with RFC 5228 defaults (:is, i;ascii-casemap).</summary>
    public MatchSpec MatchSpec(BoundCommand command)
    {
        MatchTypeDefinition type = command.MatchType ?? Compiler.Registry.MatchTypes["is"].Item;
        ComparatorDefinition comparator = command.Comparator ?? AsciiCasemapComparator.Instance;
        Relation relation = command.MatchTypeParameter is AstStringList rel ? Relations.Parse(rel.Items[0].Value) : Relation.None;
        type.Validate(this, command);
        return new MatchSpec(type, comparator, relation, IsRequired("variables"));
    }

    public static AddressPart AddressPart(BoundCommand command) => command.AddressPart ?? AllAddressPart.Instance;
}
