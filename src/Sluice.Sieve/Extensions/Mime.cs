using System.Text;
using MimeKit;
using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;
using static Sluice.Sieve.Compiler.DelegateCommand;

namespace Sluice.Sieve.Extensions;

/// <summary>
/// mime (RFC 5703 §4): :mime and :anychild on header, address and exists, and the :type, :subtype,
/// :contenttype and :param options of header. Outside foreverypart the "current part" is the message.
/// </summary>
internal sealed class MimeExtension : SieveExtension
{
    public override string Name => "mime";

    public override void Register(ExtensionRegistry registry)
    {
        foreach (string command in new[] { "header", "address", "exists" })
        {
            registry.AddTag(command, new TagDefinition("mime"));
            registry.AddTag(command, new TagDefinition("anychild"));
        }
        registry.AddTag("header", new TagDefinition("type", Group: "mime option"));
        registry.AddTag("header", new TagDefinition("subtype", Group: "mime option"));
        registry.AddTag("header", new TagDefinition("contenttype", Group: "mime option"));
        registry.AddTag("header", new TagDefinition("param", TagParameter.StringList, "mime option", "parameter names"));
    }
}

/// <summary>How a header, address or exists test reads headers when :mime is given.</summary>
internal sealed class MimeOptions
{
    private MimeOptions(bool anyChild, string? option, StringListValue? parameters)
    {
        AnyChild = anyChild;
        Option = option;
        Parameters = parameters;
    }

    private static readonly string[] OptionNames = ["type", "subtype", "contenttype", "param"];

    public bool AnyChild { get; }

    /// <summary>type, subtype, contenttype or param; null for the whole value.</summary>
    public string? Option { get; }

    public StringListValue? Parameters { get; }

    /// <summary>The :mime settings of a command; null without :mime; ok false after an error.</summary>
    public static MimeOptions? From(BuildContext context, BoundCommand command, out bool ok)
    {
        ok = true;
        string? option = OptionNames.FirstOrDefault(command.HasTag);
        if (!command.HasTag("mime"))
        {
            string? bare = command.HasTag("anychild") ? "anychild" : option;
            if (bare is not null)
            {
                BoundTag tag = command.Tags[bare];
                context.Error(tag.Tag.Line, tag.Tag.Column, $"the :{bare} tag for the {command.Describe} requires the :mime tag");
                ok = false;
            }
            return null;
        }
        StringListValue? parameters = null;
        if (option == "param")
        {
            parameters = context.StringList(command.Tags["param"].Parameter!);
            if (parameters is null)
            {
                ok = false;
                return null;
            }
        }
        return new MimeOptions(command.HasTag("anychild"), option, parameters);
    }

    /// <summary>The parts the test looks at: the current one, and with :anychild every part below it.</summary>
    public IEnumerable<MimePartInfo> Parts(RunState state)
    {
        MimeView view = state.Mime();
        if (view.Parts.Count == 0)
        {
            yield break;
        }
        MimePartInfo current = state.CurrentPart ?? view.Parts[0];
        if (!AnyChild)
        {
            yield return current;
            yield break;
        }
        // A loop's part may come from a view built before an edit: its children are those of its own view.
        IReadOnlyList<MimePartInfo> all = current.Siblings;
        var stack = new Stack<MimePartInfo>();
        stack.Push(current);
        while (stack.Count > 0)
        {
            MimePartInfo part = stack.Pop();
            state.Tick();
            yield return part;
            for (int i = part.Children.Count - 1; i >= 0; i--)
            {
                stack.Push(all[part.Children[i]]);
            }
        }
    }

    /// <summary>Values of a header in the parts, through the option (:type ...).</summary>
    public IEnumerable<string> HeaderValues(RunState state, string[] names, IndexSpec index)
    {
        string[]? parameters = Parameters?.Evaluate(state);
        foreach (MimePartInfo part in Parts(state))
        {
            foreach (string name in names)
            {
                foreach (string value in index.Pick(part.HeaderValues(name, decode: Option is null)))
                {
                    if (Option is null)
                    {
                        yield return value;
                        continue;
                    }
                    foreach (string v in Apply(name, value, parameters))
                    {
                        yield return v;
                    }
                }
            }
        }
    }

    private IEnumerable<string> Apply(string name, string value, string[]? parameters)
    {
        bool isType = string.Equals(name, "content-type", StringComparison.OrdinalIgnoreCase);
        bool isDisposition = string.Equals(name, "content-disposition", StringComparison.OrdinalIgnoreCase);
        if (isType && ContentType.TryParse(value, out ContentType? type))
        {
            switch (Option)
            {
                case "type":
                    yield return type.MediaType.ToLowerInvariant();
                    break;
                case "subtype":
                    yield return type.MediaSubtype.ToLowerInvariant();
                    break;
                case "contenttype":
                    yield return (type.MediaType + "/" + type.MediaSubtype).ToLowerInvariant();
                    break;
                default:
                    foreach (string p in parameters ?? [])
                    {
                        if (type.Parameters.TryGetValue(p, out string? pv))
                        {
                            yield return pv;
                        }
                    }
                    break;
            }
            yield break;
        }
        if (isDisposition && ContentDisposition.TryParse(value, out ContentDisposition? disposition))
        {
            switch (Option)
            {
                case "type" or "contenttype":
                    yield return disposition.Disposition.ToLowerInvariant();
                    break;
                case "subtype":
                    yield return "";
                    break;
                default:
                    foreach (string p in parameters ?? [])
                    {
                        if (disposition.Parameters.TryGetValue(p, out string? pv))
                        {
                            yield return pv;
                        }
                    }
                    break;
            }
            yield break;
        }
        // Other fields (or values that do not parse) have no type: the option gives nothing to match (RFC 5703 §4.2).
    }

    /// <summary>Raw values of a header in the parts (address parsing).</summary>
    public IEnumerable<string> RawValues(RunState state, string name, IndexSpec index)
    {
        foreach (MimePartInfo part in Parts(state))
        {
            foreach (string value in index.Pick(part.HeaderValues(name, decode: false)))
            {
                yield return value;
            }
        }
    }

    /// <summary>exists :mime: every name is present in the part (with :anychild, each in some part).</summary>
    public bool Exists(RunState state, string[] names)
    {
        List<MimePartInfo> parts = Parts(state).ToList();
        return names.All(n => parts.Any(p => p.HeaderValues(n, decode: false).Count > 0));
    }
}

/// <summary>foreverypart and break (RFC 5703 §3): loops over the MIME parts, at most four deep.</summary>
internal sealed class ForEveryPart : SieveExtension
{
    public const int MaxNesting = 4;

    public override string Name => "foreverypart";

    public override void Register(ExtensionRegistry registry)
    {
        registry.AddCommand(new LoopCommand());
        registry.AddCommand(new DelegateCommand("break", CommandKind.Command, BuildBreak)
        {
            OwnTags = [new TagDefinition("name", TagParameter.String, null, "loop name")],
        });
    }

    /// <summary>A loop being compiled: its name and where break jumps.</summary>
    internal sealed class LoopScope(string? name, Label end, int depth)
    {
        public string? Name { get; } = name;

        public Label End { get; } = end;

        public int Depth { get; } = depth;
    }

    private static object? BuildBreak(BuildContext context, BoundCommand command)
    {
        string? name = null;
        if (command.Tags.TryGetValue("name", out BoundTag? tag))
        {
            name = ((AstStringList)tag.Parameter!).Items[0].Value;
        }
        var loops = context.Emit.Enclosing.OfType<LoopScope>().ToList(); // innermost first
        if (loops.Count == 0)
        {
            context.Error(command.Node, "the break command is not placed inside a foreverypart loop");
            return null;
        }
        int popCount = 1;
        LoopScope target = loops[0];
        if (name is not null)
        {
            int at = loops.FindIndex(l => string.Equals(l.Name, name, StringComparison.Ordinal));
            if (at < 0)
            {
                context.Error(command.Node, $"the break command refers to foreverypart loop '{name}', which does not enclose it");
                return null;
            }
            target = loops[at];
            popCount = at + 1;
        }
        return new BreakInstruction(target.End, popCount, command.Node.Line, command.Node.Column);
    }

    private sealed class BreakInstruction(Label end, int pops, int line, int column) : Instruction(line, column)
    {
        public override int Execute(RunState state)
        {
            for (int i = 0; i < pops && state.PartLoops.Count > 0; i++)
            {
                state.PartLoops.RemoveAt(state.PartLoops.Count - 1);
            }
            return end.Target;
        }
    }

    private sealed class LoopCommand : CommandDefinition
    {
        public override string Name => "foreverypart";

        public override CommandKind Kind => CommandKind.Command;

        public override bool BlockAllowed => true;

        public override bool BlockRequired => true;

        public override IReadOnlyList<TagDefinition> Tags => [new TagDefinition("name", TagParameter.String, null, "loop name")];

        public override object? Build(BuildContext context, BoundCommand command)
        {
            int depth = context.Emit.Enclosing.OfType<LoopScope>().Count() + 1;
            if (depth > MaxNesting)
            {
                context.Error(command.Node, $"the nested foreverypart loop exceeds the nesting limit of {MaxNesting} levels");
                return null;
            }
            string? name = command.Tags.TryGetValue("name", out BoundTag? tag) ? ((AstStringList)tag.Parameter!).Items[0].Value : null;
            return new LoopScope(name, new Label(), depth);
        }

        public override void Emit(EmitContext emit, BoundCommand command, object compiled)
        {
            var scope = (LoopScope)compiled;
            var body = new Label();
            int line = command.Node.Line;
            int column = command.Node.Column;
            emit.Add(new StartInstruction(scope, line, column));
            emit.Mark(body);
            emit.Enclosing.Push(scope);
            emit.CompileBlock(command.Node.Block!);
            emit.Enclosing.Pop();
            emit.Add(new NextInstruction(body, line, column));
            emit.Mark(scope.End);
        }
    }

    private sealed class StartInstruction(LoopScope scope, int line, int column) : Instruction(line, column)
    {
        public override int Execute(RunState state)
        {
            if (state.PartLoops.Count >= MaxNesting)
            {
                throw new SieveRuntimeException($"foreverypart loops nest deeper than {MaxNesting} levels (through include)");
            }
            MimeView view = state.Mime();
            IReadOnlyList<MimePartInfo> parts;
            if (state.CurrentPart is { } current)
            {
                // A nested loop walks the parts below the current one (RFC 5703 §3).
                var below = new List<MimePartInfo>();
                var stack = new Stack<MimePartInfo>();
                for (int i = current.Children.Count - 1; i >= 0; i--)
                {
                    stack.Push(ChildOf(view, current, i));
                }
                while (stack.Count > 0)
                {
                    MimePartInfo p = stack.Pop();
                    below.Add(p);
                    for (int i = p.Children.Count - 1; i >= 0; i--)
                    {
                        stack.Push(ChildOf(view, p, i));
                    }
                }
                parts = below;
            }
            else
            {
                parts = view.Parts;
            }
            if (parts.Count == 0)
            {
                return scope.End.Target;
            }
            state.PartLoops.Add(new PartLoop(parts, scope.Name));
            return -1;
        }

        private static MimePartInfo ChildOf(MimeView view, MimePartInfo part, int i) => part.Siblings[part.Children[i]];
    }

    private sealed class NextInstruction(Label body, int line, int column) : Instruction(line, column)
    {
        public override int Execute(RunState state)
        {
            PartLoop loop = state.PartLoops[^1];
            loop.Position++;
            if (loop.Position < loop.Parts.Count)
            {
                return body.Target;
            }
            state.PartLoops.RemoveAt(state.PartLoops.Count - 1);
            return -1;
        }
    }
}

/// <summary>extracttext (RFC 5703 §7): the current part's text into a variable, with set's modifiers.</summary>
internal sealed class ExtractText : SieveExtension
{
    public override string Name => "extracttext";

    public override IReadOnlyList<string> Needs => ["foreverypart"];

    public override void Register(ExtensionRegistry registry) =>
        registry.AddCommand(new DelegateCommand("extracttext", CommandKind.Command, Build)
        {
            Args = [Str("variable name")],
            OwnTags = [.. Variables.ModifierTags, new TagDefinition("first", TagParameter.Number, null, "number of characters")],
        });

    private static object? Build(BuildContext context, BoundCommand command)
    {
        bool ok = true;
        if (!context.IsRequired("variables"))
        {
            context.Error(command.Node, "the extracttext command requires the variables extension");
            ok = false;
        }
        if (!context.Emit.Enclosing.OfType<ForEveryPart.LoopScope>().Any())
        {
            context.Error(command.Node, "the extracttext command is not placed inside a foreverypart loop");
            ok = false;
        }
        if (!ok)
        {
            return null;
        }
        int variable = Variables.VariableIndex(context, ((AstStringList)command.Positional[0]).Items[0]);
        if (variable < 0)
        {
            return null;
        }
        long first = command.Tags.TryGetValue("first", out BoundTag? tag) ? (long)Math.Min(((AstNumber)tag.Parameter!).Value, int.MaxValue) : -1;
        Func<RunState, string, string>[] modifiers = Variables.Modifiers(command);
        return new ActionInstruction(s =>
        {
            MimePartInfo? part = s.CurrentPart;
            string text = part is null ? "" : Body.TextOf(part, s.Settings.MaxBodyText) ?? "";
            s.Tick(1 + text.Length / 4096);
            if (first >= 0 && text.Length > first)
            {
                text = text[..(int)first];
            }
            foreach (Func<RunState, string, string> modify in modifiers)
            {
                text = modify(s, text);
            }
            s.SetVariable(variable, text);
        }, command.Node.Line, command.Node.Column);
    }
}

/// <summary>
/// replace (RFC 5703 §5): replaces the body of the message (outside foreverypart) or of the current
/// leaf part. :mime means the replacement carries its own MIME headers; :subject and :from set those
/// fields of the message. The edited message is MimeKit's, written back to bytes.
/// </summary>
internal sealed class Replace : SieveExtension
{
    public override string Name => "replace";

    public override void Register(ExtensionRegistry registry) =>
        registry.AddCommand(new DelegateCommand("replace", CommandKind.Command, Build)
        {
            Args = [Str("replacement")],
            OwnTags =
            [
                new TagDefinition("mime"),
                new TagDefinition("subject", TagParameter.String, null, "subject"),
                new TagDefinition("from", TagParameter.String, null, "from"),
            ],
        });

    private static object? Build(BuildContext context, BoundCommand command)
    {
        StringValue? replacement = context.String(command.Positional[0]);
        StringValue? subject = command.Tags.TryGetValue("subject", out BoundTag? st) ? context.String(st.Parameter!) : null;
        StringValue? from = command.Tags.TryGetValue("from", out BoundTag? ft) ? context.String(ft.Parameter!) : null;
        if (replacement is null || (st is not null && subject is null) || (ft is not null && from is null))
        {
            return null;
        }
        bool mime = command.HasTag("mime");
        return new ActionInstruction(s =>
        {
            string text = replacement.Evaluate(s);
            s.Tick(1 + text.Length / 4096);
            MimeEntity entity = mime ? ParseEntity(text) : new TextPart("plain") { Text = text };
            // Inside a loop the part's own parse is edited (it already holds earlier replacements of the loop).
            MimePartInfo? part = s.CurrentPart;
            MimeMessage message = part?.Owner ?? s.Mime().Message;
            if (part is { Index: > 0 } && part.Siblings[part.Parent].Entity is Multipart parent && parent.IndexOf(part.Entity) is int at and >= 0)
            {
                parent[at] = entity;
            }
            else
            {
                message.Body = entity;
            }
            using var stream = new MemoryStream();
            // Mail is CRLF on the wire and in the store, whatever the platform's newline (FormatOptions.Default is LF on Unix).
            message.WriteTo(s_crlf, stream);
            var replaced = EditableMessage.From(new SimpleSieveMessage(stream.ToArray(), s.Message.Flags));
            // The new content goes under the header as the script has it (its editheader changes kept).
            EditableMessage target = s.Editable();
            target.ReplaceContent(replaced);
            if (subject is not null)
            {
                target.Set("Subject", subject.Evaluate(s));
            }
            if (from is not null)
            {
                string f = from.Evaluate(s);
                if (AddressParser.ParseMailbox(f) is null)
                {
                    throw new SieveRuntimeException($"replace :from: '{f}' is not an address");
                }
                target.Set("From", f);
            }
            s.SetEditedMessage(target);
        }, command.Node.Line, command.Node.Column);
    }

    private static readonly FormatOptions s_crlf = CrlfOptions();

    private static FormatOptions CrlfOptions()
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        return options;
    }

    private static MimeEntity ParseEntity(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        using var stream = new MemoryStream(bytes);
        try
        {
            return MimeEntity.Load(stream);
        }
        catch (FormatException ex)
        {
            throw new SieveRuntimeException($"replace :mime: the replacement is not a MIME entity ({ex.Message})");
        }
    }
}
