using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;
using static Sluice.Sieve.Compiler.DelegateCommand;

namespace Sluice.Sieve.Extensions;

/// <summary>The tests of RFC 5228 §5: address, header, exists, size, allof, anyof, not, true, false.</summary>
internal sealed class CoreTests : SieveExtension
{
    /// <summary>Headers that hold addresses (RFC 5228 §5.1 requires at least the first seven).</summary>
    private static readonly HashSet<string> AddressHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "from", "to", "cc", "bcc", "sender", "resent-from", "resent-to", "reply-to", "resent-reply-to",
        "resent-sender", "resent-cc", "resent-bcc", "return-path", "disposition-notification-to",
        "delivered-to", "approved", "original-from", "original-sender", "original-recipient",
        "x-envelope-from", "x-envelope-to", "x-original-to", "errors-to", "apparently-to", "mail-followup-to", "mail-reply-to",
    };

    public override string Name => "";

    public override void Register(ExtensionRegistry registry)
    {
        registry.AddCommand(new DelegateCommand("true", CommandKind.Test, (_, c) => new ConstantTest(true, c.Node.Line, c.Node.Column)));
        registry.AddCommand(new DelegateCommand("false", CommandKind.Test, (_, c) => new ConstantTest(false, c.Node.Line, c.Node.Column)));
        registry.AddCommand(new DelegateCommand("not", CommandKind.Test, (_, c) => new NotTest(c.Tests[0]!, c.Node.Line, c.Node.Column)) { Tests = 1 });
        registry.AddCommand(new DelegateCommand("allof", CommandKind.Test, (_, c) => new ListTest(c.Tests.Select(t => t!).ToList(), true, c.Node.Line, c.Node.Column)) { Tests = 2 });
        registry.AddCommand(new DelegateCommand("anyof", CommandKind.Test, (_, c) => new ListTest(c.Tests.Select(t => t!).ToList(), false, c.Node.Line, c.Node.Column)) { Tests = 2 });
        registry.AddCommand(new DelegateCommand("exists", CommandKind.Test, BuildExists) { Args = [List("header names")] });
        registry.AddCommand(new DelegateCommand("size", CommandKind.Test, BuildSize)
        {
            Args = [Num("limit")],
            OwnTags = [new TagDefinition("over", Group: "size"), new TagDefinition("under", Group: "size")],
        });
        registry.AddCommand(new DelegateCommand("header", CommandKind.Test, BuildHeader)
        {
            Args = [List("header names"), List("key list")],
            Uses = TagFamilies.Comparator | TagFamilies.MatchType,
        });
        registry.AddCommand(new DelegateCommand("address", CommandKind.Test, BuildAddress)
        {
            Args = [List("header list"), List("key list")],
            Uses = TagFamilies.Comparator | TagFamilies.MatchType | TagFamilies.AddressPart,
        });
    }

    private static object? BuildExists(BuildContext context, BoundCommand command)
    {
        StringListValue? names = context.StringList(command.Positional[0]);
        MimeOptions? mime = MimeOptions.From(context, command, out bool ok);
        if (names is null || !ok)
        {
            return null;
        }
        if (mime is not null)
        {
            return new DelegateTest(s => mime.Exists(s, names.Evaluate(s)), command.Node.Line, command.Node.Column);
        }
        return new DelegateTest(s =>
        {
            string[] n = names.Evaluate(s);
            for (int i = 0; i < n.Length; i++)
            {
                if (s.Message.GetHeaderValues(n[i]).Count == 0)
                {
                    return false;
                }
            }
            return true;
        }, command.Node.Line, command.Node.Column);
    }

    private static object? BuildSize(BuildContext context, BoundCommand command)
    {
        bool over = command.HasTag("over");
        if (!over && !command.HasTag("under"))
        {
            context.Error(command.Node, "the size test requires either the :under or the :over tag to be specified");
            return null;
        }
        ulong limit = ((AstNumber)command.Positional[0]).Value;
        return new DelegateTest(s =>
        {
            ulong size = (ulong)Math.Max(0, s.Message.Size);
            return over ? size > limit : size < limit;
        }, command.Node.Line, command.Node.Column);
    }

    private static object? BuildHeader(BuildContext context, BoundCommand command)
    {
        StringListValue? names = context.StringList(command.Positional[0]);
        StringListValue? keys = context.StringList(command.Positional[1]);
        MimeOptions? mime = MimeOptions.From(context, command, out bool mimeOk);
        if (names is null || keys is null || !mimeOk || !IndexExtension.Check(context, command))
        {
            return null;
        }
        MatchSpec match = context.MatchSpec(command);
        IndexSpec index = IndexExtension.Spec(command);
        if (mime is not null)
        {
            return new DelegateTest(s => match.Run(s, mime.HeaderValues(s, names.Evaluate(s), index), keys.Evaluate(s)), command.Node.Line, command.Node.Column);
        }
        if (index.Index <= 0 && !match.Type.CountsValues)
        {
            // The common case reads the lists the message already has, name by name: nothing is allocated.
            return new DelegateTest(s =>
            {
                string[] n = names.Evaluate(s);
                string[] k = keys.Evaluate(s);
                for (int i = 0; i < n.Length; i++)
                {
                    if (match.Run(s, s.Message.GetHeaderValues(n[i]), k))
                    {
                        return true;
                    }
                }
                return false;
            }, command.Node.Line, command.Node.Column);
        }
        return new DelegateTest(s => match.Run(s, HeaderValues(s, names.Evaluate(s), index), keys.Evaluate(s)), command.Node.Line, command.Node.Column);
    }

    private static IEnumerable<string> HeaderValues(RunState state, string[] names, IndexSpec index)
    {
        if (names.Length == 1 && index.Index <= 0)
        {
            return state.Message.GetHeaderValues(names[0]);
        }
        return Many(state, names, index);

        static IEnumerable<string> Many(RunState state, string[] names, IndexSpec index)
        {
            foreach (string name in names)
            {
                foreach (string value in index.Pick(state.Message.GetHeaderValues(name)))
                {
                    yield return value;
                }
            }
        }
    }

    private static object? BuildAddress(BuildContext context, BoundCommand command)
    {
        var headerList = (AstStringList)command.Positional[0];
        bool ok = true;
        foreach (AstString header in headerList.Items)
        {
            if (!context.Compiler.ContainsVariableReference(header.Value) && !IsAddressHeader(header.Value) && IsValidHeaderName(header.Value))
            {
                context.Error(header, $"specified header '{header.Value}' is not allowed for the address test");
                ok = false;
            }
        }
        StringListValue? names = context.StringList(headerList);
        StringListValue? keys = context.StringList(command.Positional[1]);
        MimeOptions? mime = MimeOptions.From(context, command, out bool mimeOk);
        if (!ok || !mimeOk || names is null || keys is null || !IndexExtension.Check(context, command))
        {
            return null;
        }
        MatchSpec match = context.MatchSpec(command);
        AddressPart part = BuildContext.AddressPart(command);
        IndexSpec index = IndexExtension.Spec(command);
        if (mime is null && index.Index <= 0 && !match.Type.CountsValues)
        {
            // The common case walks the cached parses of the message's fields: nothing is allocated.
            return new DelegateTest(s =>
            {
                string[] n = names.Evaluate(s);
                string[] k = keys.Evaluate(s);
                List<string>? captures = match.NewCaptures();
                for (int i = 0; i < n.Length; i++)
                {
                    if (!IsAddressHeader(n[i]))
                    {
                        continue;
                    }
                    IReadOnlyList<string> raws = s.Message.GetRawHeaderValues(n[i]);
                    for (int r = 0; r < raws.Count; r++)
                    {
                        s.Tick();
                        ParsedField field = Parse(raws[r]);
                        if (field.Addresses is null)
                        {
                            if (match.Any(s, field.Trimmed, k, captures))
                            {
                                return true;
                            }
                            continue;
                        }
                        foreach (MailAddress address in field.Addresses)
                        {
                            if (part.Extract(address, s) is { } value && match.Any(s, value, k, captures))
                            {
                                return true;
                            }
                        }
                    }
                }
                return false;
            }, command.Node.Line, command.Node.Column);
        }
        return new DelegateTest(s => match.Run(s, AddressValues(s, names.Evaluate(s), part, index, mime), keys.Evaluate(s)), command.Node.Line, command.Node.Column);
    }

    /// <summary>A field's addresses (null when it does not parse), cached by the field's string.</summary>
    private sealed record ParsedField(MailAddress[]? Addresses, string Trimmed);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<string, ParsedField> Parsed = [];

    private static ParsedField Parse(string raw)
    {
        if (Parsed.TryGetValue(raw, out ParsedField? cached))
        {
            return cached;
        }
        var field = new ParsedField(AddressParser.ParseList(raw)?.ToArray(), raw.Trim());
        Parsed.AddOrUpdate(raw, field);
        return field;
    }

    /// <summary>A header that holds addresses: the known ones, and any X- field (extensions define many).</summary>
    private static bool IsAddressHeader(string name) =>
        AddressHeaders.Contains(name) || name.StartsWith("x-", StringComparison.OrdinalIgnoreCase);

    private static bool IsValidHeaderName(string name) => name.Length > 0 && name.All(c => c > 32 && c < 127 && c != ':');

    /// <summary>The chosen part of every address in the named headers (an empty group has none).</summary>
    private static IEnumerable<string> AddressValues(RunState state, string[] names, AddressPart part, IndexSpec index, MimeOptions? mime)
    {
        foreach (string name in names)
        {
            if (!IsAddressHeader(name))
            {
                continue;
            }
            IEnumerable<string> raws = mime is null ? index.Pick(state.Message.GetRawHeaderValues(name)) : mime.RawValues(state, name, index);
            foreach (string raw in raws)
            {
                state.Tick();
                MailAddress[]? addresses = Parse(raw).Addresses;
                if (addresses is null)
                {
                    yield return raw.Trim();
                    continue;
                }
                foreach (MailAddress address in addresses)
                {
                    if (part.Extract(address, state) is { } value)
                    {
                        yield return value;
                    }
                }
            }
        }
    }
}
