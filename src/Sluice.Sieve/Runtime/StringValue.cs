using System.Text;

namespace Sluice.Sieve.Runtime;

/// <summary>A string argument as compiled: a constant, or a template with variable references (RFC 5229 §3).</summary>
internal abstract class StringValue
{
    public abstract bool IsConstant { get; }

    public abstract string Evaluate(RunState state);

    public static StringValue Constant(string value) => new ConstantString(value);
}

internal sealed class ConstantString(string value) : StringValue
{
    public string Value { get; } = value;

    public override bool IsConstant => true;

    public override string Evaluate(RunState state) => Value;
}

internal abstract record TemplatePart;

internal sealed record LiteralPart(string Text) : TemplatePart;

/// <summary>A variable of the script's own scope, by its compile-time index.</summary>
internal sealed record VariablePart(int Index) : TemplatePart;

/// <summary>${0}..${n}: a value captured by the last successful :matches (or :regex).</summary>
internal sealed record MatchValuePart(int Index) : TemplatePart;

/// <summary>A variable in a namespace the host provides (env.*, envelope.*), read-only.</summary>
internal sealed record NamespacePart(string Name) : TemplatePart;

internal sealed class TemplateString(IReadOnlyList<TemplatePart> parts) : StringValue
{
    public IReadOnlyList<TemplatePart> Parts { get; } = parts;

    public override bool IsConstant => false;

    public override string Evaluate(RunState state)
    {
        var sb = new StringBuilder();
        foreach (TemplatePart part in Parts)
        {
            string piece = part switch
            {
                LiteralPart l => l.Text,
                VariablePart v => state.GetVariable(v.Index),
                MatchValuePart m => state.GetMatchValue(m.Index),
                NamespacePart n => state.GetNamespaceVariable(n.Name),
                _ => "",
            };
            sb.Append(piece);
            // A template can only grow by what its variables hold, which is bounded; this keeps one
            // string from exceeding what any variable could hold many times over.
            if (sb.Length > state.Limits.MaxStringLength)
            {
                throw new SieveRuntimeException("string value exceeds the maximum length");
            }
        }
        return sb.ToString();
    }
}

/// <summary>A string-list argument: its strings, each possibly a template.</summary>
internal sealed class StringListValue(IReadOnlyList<StringValue> items)
{
    /// <summary>The values when every item is constant: evaluated once, shared by every run (never changed by callers).</summary>
    private readonly string[]? _constant = items.All(i => i is ConstantString)
        ? items.Select(i => ((ConstantString)i).Value).ToArray()
        : null;

    public IReadOnlyList<StringValue> Items { get; } = items;

    public bool IsConstant => Items.All(i => i.IsConstant);

    public string[] Evaluate(RunState state)
    {
        if (_constant is not null)
        {
            return _constant;
        }
        var result = new string[Items.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = Items[i].Evaluate(state);
        }
        return result;
    }
}
