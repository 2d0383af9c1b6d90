using Tomlyn;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Sluice.Configuration.Toml;

/// <summary>
/// Parses TOML 1.1 text with Tomlyn's syntax parser and turns the syntax tree into a
/// <see cref="ConfigNode"/> tree that keeps every value's line.
/// </summary>
public static class TomlDocumentReader
{
    /// <summary>
    /// Room for rules nested to their own bound (each level is an array and a table); deeper input is
    /// a configuration error, never an exception.
    /// </summary>
    private static readonly TomlSerializerOptions s_options = new() { MaxDepth = 128 };

    /// <summary>Parses <paramref name="text"/>; syntax and semantic errors come back in <paramref name="errors"/>.</summary>
    public static ConfigNode Read(string text, string origin, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var root = ConfigNode.Table(new ConfigSource(origin, 1));
        DocumentSyntax doc;
        try
        {
            doc = SyntaxParser.Parse(text, s_options, origin, validate: true);
        }
        catch (TomlException ex)
        {
            // Tomlyn throws (rather than reporting a diagnostic) when containers nest too deep; it gives no line.
            var message = ex.Message.Contains("maximum depth", StringComparison.OrdinalIgnoreCase)
                ? $"arrays and tables are nested more than {s_options.MaxDepth} levels deep"
                : ex.Message;
            errors.Add(new ConfigError(new ConfigSource(origin, Math.Max(ex.Line ?? 1, 1)), "(syntax)", message));
            return root;
        }
        catch (ArgumentOutOfRangeException)
        {
            // Tomlyn 2.11 throws while wording its own error when the text ends inside a string's escape
            // sequence (`a = "\`, `a = "\u12`): found by fuzz/ (target config). That is at the last line.
            int lastLine = text.Count(c => c == '\n') + 1;
            errors.Add(new ConfigError(new ConfigSource(origin, lastLine), "(syntax)", "the file ends inside an escape sequence of a string"));
            return root;
        }
        if (doc.HasErrors)
        {
            foreach (var diagnostic in doc.Diagnostics)
            {
                if (diagnostic.Kind == DiagnosticMessageKind.Error)
                {
                    errors.Add(new ConfigError(new ConfigSource(origin, diagnostic.Span.Start.Line + 1), "(syntax)", diagnostic.Message));
                }
            }
            return root;
        }

        foreach (var keyValue in doc.KeyValues)
        {
            Assign(root, keyValue, origin);
        }

        foreach (var table in doc.Tables)
        {
            var path = KeyParts(table.Name!);
            var source = SourceOf(table, origin);
            ConfigNode target;
            if (table is TableArraySyntax)
            {
                var parent = Descend(root, path.AsSpan(0, path.Length - 1), source);
                var key = path[^1];
                if (!parent.Members!.TryGetValue(key, out var array) || array.Kind != ConfigNodeKind.Array)
                {
                    array = ConfigNode.Array(source);
                    parent.Members[key] = array;
                }
                target = ConfigNode.Table(source);
                array.Items!.Add(target);
            }
            else
            {
                target = Descend(root, path, source);
            }

            foreach (var item in table.Items)
            {
                Assign(target, item, origin);
            }
        }
        return root;
    }

    /// <summary>Parses a single TOML value (as written after <c>key =</c>), or returns null when it is not one.</summary>
    public static ConfigNode? TryReadValue(string text, ConfigSource source)
    {
        DocumentSyntax doc;
        try
        {
            doc = SyntaxParser.Parse("v = " + text, s_options, source.Origin, validate: true);
        }
        catch (TomlException)
        {
            return null;
        }
        if (doc.HasErrors || doc.KeyValues.ChildrenCount != 1 || doc.Tables.ChildrenCount != 0)
        {
            return null;
        }
        var keyValue = doc.KeyValues.GetChild(0)!;
        return keyValue.Value is null ? null : Convert(keyValue.Value, source.Origin, source);
    }

    /// <param name="lineless">For a value from a layer without lines (the environment): the source every node keeps.</param>
    private static void Assign(ConfigNode table, KeyValueSyntax keyValue, string origin, ConfigSource? lineless = null)
    {
        var path = KeyParts(keyValue.Key!);
        var source = lineless ?? SourceOf(keyValue, origin);
        var parent = Descend(table, path.AsSpan(0, path.Length - 1), source);
        parent.Members![path[^1]] = Convert(keyValue.Value!, origin, source);
    }

    /// <summary>Walks (creating as needed) the tables named by <paramref name="path"/>; into the last element of a table array.</summary>
    private static ConfigNode Descend(ConfigNode table, ReadOnlySpan<string> path, ConfigSource source)
    {
        foreach (var key in path)
        {
            if (!table.Members!.TryGetValue(key, out var next))
            {
                next = ConfigNode.Table(source);
                table.Members[key] = next;
            }
            if (next.Kind == ConfigNodeKind.Array && next.Items!.Count > 0 && next.Items[^1].Kind == ConfigNodeKind.Table)
            {
                next = next.Items[^1];
            }
            table = next;
        }
        return table;
    }

    private static ConfigNode Convert(ValueSyntax value, string origin, ConfigSource source)
    {
        source = value.Span.Start.Line >= 0 && source.Line > 0 ? SourceOf(value, origin) : source;
        switch (value)
        {
            case StringValueSyntax s:
                return ConfigNode.String(s.Value ?? string.Empty, source);
            case IntegerValueSyntax i:
                return ConfigNode.Integer(i.Value, source);
            case FloatValueSyntax f:
                return ConfigNode.Float(f.Value, source);
            case BooleanValueSyntax b:
                return ConfigNode.Boolean(b.Value, source);
            case DateTimeValueSyntax d:
                return ConfigNode.DateTime(d.Value.DateTime, source);
            case ArraySyntax a:
                var array = ConfigNode.Array(source);
                foreach (var item in a.Items)
                {
                    array.Items!.Add(Convert(item.Value!, origin, source));
                }
                return array;
            case InlineTableSyntax t:
                var table = ConfigNode.Table(source);
                foreach (var item in t.Items)
                {
                    Assign(table, item.KeyValue!, origin, source.Line > 0 ? null : source);
                }
                return table;
            default:
                throw new InvalidOperationException($"Unsupported TOML value syntax {value.GetType().Name}");
        }
    }

    private static string[] KeyParts(KeySyntax key)
    {
        var parts = new List<string> { Name(key.Key!) };
        foreach (var dotted in key.DotKeys)
        {
            parts.Add(Name(dotted.Key!));
        }
        return [.. parts];
    }

    private static string Name(BareKeyOrStringValueSyntax key) => key switch
    {
        BareKeySyntax bare => bare.Key?.Text ?? string.Empty,
        StringValueSyntax quoted => quoted.Value ?? string.Empty,
        _ => string.Empty,
    };

    private static ConfigSource SourceOf(SyntaxNode node, string origin) => new(origin, node.Span.Start.Line + 1);
}
