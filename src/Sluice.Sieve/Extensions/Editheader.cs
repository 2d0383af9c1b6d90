using System.Text;
using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;
using static Sluice.Sieve.Compiler.DelegateCommand;

namespace Sluice.Sieve.Extensions;

/// <summary>
/// editheader (RFC 5293): addheader and deleteheader. Received and Auto-Submitted can never be
/// deleted (§6; adding a trace field is allowed); the host may protect more (SieveSettings). Edits of a protected field are silently ignored,
/// as RFC 5293 §6 allows. Later tests see the edited message; the host gets it back as bytes.
/// </summary>
internal sealed class Editheader : SieveExtension
{
    private static readonly string[] AlwaysProtected = ["received", "auto-submitted"];

    public override string Name => "editheader";

    public override void Register(ExtensionRegistry registry)
    {
        registry.AddCommand(new DelegateCommand("addheader", CommandKind.Command, BuildAdd)
        {
            Args = [Str("field name"), Str("value")],
            OwnTags = [new TagDefinition("last")],
        });
        registry.AddCommand(new DelegateCommand("deleteheader", CommandKind.Command, BuildDelete)
        {
            ArgCount = -1,
            Uses = TagFamilies.Comparator | TagFamilies.MatchType,
            OwnTags = [new TagDefinition("index", TagParameter.Number), new TagDefinition("last")],
        });
    }

    internal static bool IsValidFieldName(string name) => name.Length > 0 && name.All(c => c is > ' ' and < '\u007f' and not ':');

    /// <summary>A value may hold folding line breaks but no NUL (and no lone CR or LF once folded).</summary>
    private static bool IsValidValue(string value) => !value.Contains('\0', StringComparison.Ordinal);

    /// <summary>Received and Auto-Submitted always; the configured ones too, except Subject, which a
    /// script may always change (it is what editheader is most used for).</summary>
    private static bool IsProtected(string name, IReadOnlySet<string> configured, bool delete) =>
        (delete && AlwaysProtected.Contains(name, StringComparer.OrdinalIgnoreCase)) ||
        (configured.Contains(name) && !string.Equals(name, "subject", StringComparison.OrdinalIgnoreCase));

    private static object? BuildAdd(BuildContext context, BoundCommand command)
    {
        AstString nameLiteral = ((AstStringList)command.Positional[0]).Items[0];
        AstString valueLiteral = ((AstStringList)command.Positional[1]).Items[0];
        StringValue? name = context.String(nameLiteral);
        StringValue? value = context.String(valueLiteral);
        if (name is null || value is null)
        {
            return null;
        }
        bool ok = true;
        if (name is ConstantString cn && !IsValidFieldName(cn.Value))
        {
            context.Error(nameLiteral, $"addheader command: specified field name '{cn.Value}' is invalid");
            ok = false;
        }
        int maxSize = context.Compiler.Options.Settings.EditheaderMaxHeaderSize;
        if (value is ConstantString cv)
        {
            if (IsValidValue(cv.Value) && cv.Value.Any(c => char.IsControl(c) && c is not ('\r' or '\n' or '\t')))
            {
                context.Warning(command.Node, $"addheader command: specified value '{Printable(cv.Value)}' contains control characters");
            }
            if (!IsValidValue(cv.Value))
            {
                context.Error(valueLiteral, $"addheader command: specified value '{Printable(cv.Value)}' is invalid");
                ok = false;
            }
            else if (Encoding.UTF8.GetByteCount(cv.Value) > maxSize)
            {
                context.Error(valueLiteral, $"addheader command: specified header value is too large ({Encoding.UTF8.GetByteCount(cv.Value)} bytes; the limit is {maxSize})");
                ok = false;
            }
        }
        if (!ok)
        {
            return null;
        }
        bool last = command.HasTag("last");
        return new ActionInstruction(s =>
        {
            string n = name.Evaluate(s);
            string v = value.Evaluate(s);
            if (!IsValidFieldName(n))
            {
                throw new SieveRuntimeException($"addheader action: specified field name '{n}' is invalid");
            }
            if (!IsValidValue(v))
            {
                throw new SieveRuntimeException($"addheader action: specified value '{Printable(v)}' is invalid");
            }
            int size = Encoding.UTF8.GetByteCount(v);
            if (size > s.Settings.EditheaderMaxHeaderSize)
            {
                throw new SieveRuntimeException($"addheader action: specified header value is too large ({size} bytes; the limit is {s.Settings.EditheaderMaxHeaderSize})");
            }
            if (IsProtected(n, s.Settings.EditheaderForbidAdd, delete: false))
            {
                return;
            }
            EditableMessage message = s.Edit();
            if (message.Fields.Count >= s.Settings.MaxHeaderFields)
            {
                throw new SieveRuntimeException($"addheader action: the message already has {message.Fields.Count} header fields (the limit)");
            }
            s.Tick(1 + size / 1024);
            message.Add(n, Unfold(v), last);
            s.MessageEdited();
        }, command.Node.Line, command.Node.Column);
    }

    /// <summary>Line breaks in a value become folding whitespace; MimeKit folds the field again when it is written.</summary>
    private static string Unfold(string value)
    {
        var sb = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c is '\r' or '\n')
            {
                if (c == '\r' && i + 1 < value.Length && value[i + 1] == '\n')
                {
                    i++;
                }
                // A break before whitespace is a fold; elsewhere it becomes one space.
                if (i + 1 < value.Length && value[i + 1] is not (' ' or '\t'))
                {
                    sb.Append(' ');
                }
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString().TrimEnd();
    }

    private static string Printable(string value)
    {
        var sb = new StringBuilder();
        foreach (char c in value.Length > 80 ? value[..80] : value)
        {
            sb.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString());
        }
        return sb.ToString();
    }

    private static object? BuildDelete(BuildContext context, BoundCommand command)
    {
        if (command.HasTag("last") && !command.HasTag("index"))
        {
            BoundTag last = command.Tags["last"];
            context.Error(last.Tag.Line, last.Tag.Column, "deleteheader command: the :last tag cannot be specified without the :index tag");
            return null;
        }
        int count = command.Positional.Count;
        if (count is < 1 or > 2)
        {
            context.Error(command.Node, $"the deleteheader command requires one or two positional arguments, but {count} were specified");
            return null;
        }
        if (command.Positional[0] is not AstStringList { IsSingleString: true } nameList)
        {
            context.Error(command.Positional[0], $"the deleteheader command expects a string as argument 1 (field name), but {command.Positional[0].TypeName} was found");
            return null;
        }
        if (count == 2 && command.Positional[1] is not AstStringList)
        {
            context.Error(command.Positional[1], $"the deleteheader command expects a string list as argument 2 (value patterns), but {command.Positional[1].TypeName} was found");
            return null;
        }
        AstString nameLiteral = nameList.Items[0];
        StringValue? name = context.String(nameLiteral);
        if (name is null)
        {
            return null;
        }
        if (name is ConstantString cn && !IsValidFieldName(cn.Value))
        {
            context.Error(nameLiteral, $"deleteheader command: specified field name '{cn.Value}' is invalid");
            return null;
        }
        StringListValue? patterns = null;
        if (count == 2)
        {
            patterns = context.StringList(command.Positional[1]);
            if (patterns is null)
            {
                return null;
            }
        }
        long index = 0;
        if (command.Tags.TryGetValue("index", out BoundTag? indexTag))
        {
            index = (long)Math.Min(((AstNumber)indexTag.Parameter!).Value, int.MaxValue);
        }
        bool fromEnd = command.HasTag("last");
        MatchSpec match = context.MatchSpec(command);
        return new ActionInstruction(s =>
        {
            string n = name.Evaluate(s);
            if (!IsValidFieldName(n))
            {
                throw new SieveRuntimeException($"deleteheader action: specified field name '{n}' is invalid");
            }
            if (IsProtected(n, s.Settings.EditheaderForbidDelete, delete: true))
            {
                return;
            }
            string[]? keys = patterns?.Evaluate(s);
            if (s.Message.GetRawHeaderValues(n).Count == 0)
            {
                return;
            }
            EditableMessage message = s.Editable();
            // Positions of the named field, in order.
            var positions = new List<int>();
            IReadOnlyList<EditableMessage.Field> fields = message.Fields;
            for (int i = 0; i < fields.Count; i++)
            {
                if (string.Equals(fields[i].Name, n, StringComparison.OrdinalIgnoreCase))
                {
                    positions.Add(i);
                }
            }
            if (index > 0)
            {
                if (index > positions.Count)
                {
                    return;
                }
                int pick = fromEnd ? positions[positions.Count - (int)index] : positions[(int)index - 1];
                positions = [pick];
            }
            var remove = new List<int>();
            foreach (int p in positions)
            {
                s.Tick();
                if (keys is null || match.Any(s, EncodedWords.Decode(fields[p].Unfolded), keys, null))
                {
                    remove.Add(p);
                }
            }
            if (remove.Count == 0)
            {
                return;
            }
            message = s.Edit();
            for (int i = remove.Count - 1; i >= 0; i--)
            {
                message.RemoveAt(remove[i]);
            }
            s.MessageEdited();
        }, command.Node.Line, command.Node.Column);
    }
}
