using System.Text;
using MimeKit;
using Sluice.Sieve.Compiler;
using Sluice.Sieve.Runtime;
using Sluice.Sieve.Syntax;
using static Sluice.Sieve.Compiler.DelegateCommand;

namespace Sluice.Sieve.Extensions;

/// <summary>
/// body (RFC 5173): tests on the message body. :raw is the undecoded body as one string; :content
/// takes the decoded parts of the listed content types ("" all, "text" a main type, "text/html" one
/// type; a multipart gives its preamble and epilogue, a message/rfc822 its header); :text (the default)
/// is the text parts with markup removed.
/// </summary>
internal sealed class Body : SieveExtension
{
    public override string Name => "body";

    public override void Register(ExtensionRegistry registry) =>
        registry.AddCommand(new DelegateCommand("body", CommandKind.Test, Build)
        {
            Args = [List("key list")],
            Uses = TagFamilies.Comparator | TagFamilies.MatchType,
            OwnTags =
            [
                new TagDefinition("raw", Group: "body transform"),
                new TagDefinition("content", TagParameter.StringList, "body transform", "content types"),
                new TagDefinition("text", Group: "body transform"),
            ],
        });

    private static object? Build(BuildContext context, BoundCommand command)
    {
        StringListValue? keys = context.StringList(command.Positional[0]);
        StringListValue? types = null;
        if (command.Tags.TryGetValue("content", out BoundTag? content))
        {
            types = context.StringList(content.Parameter!);
            if (types is null)
            {
                return null;
            }
        }
        if (keys is null)
        {
            return null;
        }
        bool raw = command.HasTag("raw");
        MatchSpec spec = context.MatchSpec(command);
        // The body test sets no match variables (RFC 5173 §6 leaves them alone).
        var match = new MatchSpec(spec.Type, spec.Comparator, spec.Relation, setMatchVariables: false);
        return new DelegateTest(s =>
        {
            // A message of a header alone has no body: every body test is false (RFC 5173 §5).
            if (!EditableMessage.HasBody(s.Message.RawBytes.Span))
            {
                return false;
            }
            IEnumerable<string> values = raw ? [RawBody(s)]
                : types is not null ? ContentValues(s, types.Evaluate(s))
                : TextValues(s);
            return match.Run(s, values, keys.Evaluate(s));
        }, command.Node.Line, command.Node.Column);
    }

    private static string RawBody(RunState state)
    {
        ReadOnlySpan<byte> bytes = state.Message.RawBytes.Span;
        int start = EditableMessage.BodyStart(bytes, out _);
        state.Tick(1 + (bytes.Length - start) / 4096);
        int length = Math.Min(bytes.Length - start, state.Settings.MaxBodyText);
        return Encoding.UTF8.GetString(bytes.Slice(start, length));
    }

    /// <summary>Whether a part's declared type is well formed (one slash, tokens on both sides).</summary>
    internal static bool HasValidContentType(MimePartInfo part)
    {
        IReadOnlyList<string> declared = part.HeaderValues("Content-Type", decode: false);
        if (declared.Count == 0)
        {
            return true;
        }
        string type = declared[0].Split(';', 2)[0].Trim();
        string[] pieces = type.Split('/');
        return pieces.Length == 2 && pieces[0].Length > 0 && pieces[1].Length > 0;
    }

    /// <summary>A leaf part with an unknown Content-Transfer-Encoding cannot be decoded and is not matched.</summary>
    internal static bool HasValidEncoding(MimePartInfo part)
    {
        IReadOnlyList<string> cte = part.HeaderValues("Content-Transfer-Encoding", decode: false);
        if (cte.Count == 0)
        {
            return true;
        }
        string value = cte[0].Trim().ToLowerInvariant();
        return value is "7bit" or "8bit" or "binary" or "base64" or "quoted-printable" || value.StartsWith("x-", StringComparison.Ordinal);
    }

    private static bool TypeMatches(MimePartInfo part, string spec)
    {
        if (spec.Length == 0)
        {
            return true;
        }
        if (!HasValidContentType(part))
        {
            return false;
        }
        int slash = spec.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return string.Equals(part.MediaType, spec, StringComparison.OrdinalIgnoreCase);
        }
        return string.Equals(part.MediaType, spec[..slash], StringComparison.OrdinalIgnoreCase) &&
               string.Equals(part.MediaSubtype, spec[(slash + 1)..], StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsValidSpec(string spec)
    {
        if (spec.Length == 0)
        {
            return true;
        }
        string[] pieces = spec.Split('/');
        return pieces.Length switch
        {
            1 => true,
            2 => pieces[0].Length > 0 && pieces[1].Length > 0,
            _ => false,
        };
    }

    internal static IEnumerable<string> ContentValues(RunState state, string[] specs)
    {
        string[] valid = specs.Where(IsValidSpec).ToArray();
        if (valid.Length == 0)
        {
            yield break;
        }
        MimeView mime = state.Mime();
        foreach (MimePartInfo part in mime.Parts)
        {
            state.Tick();
            if (!valid.Any(spec => TypeMatches(part, spec)))
            {
                continue;
            }
            switch (part.Entity)
            {
                case Multipart multipart:
                    if (!string.IsNullOrEmpty(multipart.Preamble))
                    {
                        yield return multipart.Preamble;
                    }
                    if (!string.IsNullOrEmpty(multipart.Epilogue))
                    {
                        yield return multipart.Epilogue;
                    }
                    break;
                case MessagePart { Message: { } embedded }:
                    yield return HeaderText(embedded.Headers);
                    break;
                default:
                    if (HasValidEncoding(part))
                    {
                        yield return part.Text(state.Settings.MaxBodyText);
                    }
                    break;
            }
        }
    }

    internal static string HeaderText(HeaderList headers)
    {
        var sb = new StringBuilder();
        foreach (Header h in headers)
        {
            string value = Encoding.UTF8.GetString(h.RawValue).Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal);
            sb.Append(h.Field).Append(':').Append(value);
            if (!value.EndsWith("\r\n", StringComparison.Ordinal))
            {
                sb.Append("\r\n");
            }
        }
        return sb.ToString();
    }

    /// <summary>:text: every text part (and XHTML), markup removed (RFC 5173 §5.3 leaves the conversion to us).</summary>
    private static IEnumerable<string> TextValues(RunState state)
    {
        MimeView mime = state.Mime();
        foreach (MimePartInfo part in mime.Parts)
        {
            state.Tick();
            string? text = TextOf(part, state.Settings.MaxBodyText);
            if (text is not null)
            {
                yield return text;
            }
        }
    }

    /// <summary>The plain text of a part when it is text (html stripped); null otherwise.</summary>
    internal static string? TextOf(MimePartInfo part, int limit)
    {
        if (part.IsMultipart || part.IsMessage || !HasValidContentType(part) || !HasValidEncoding(part))
        {
            return null;
        }
        string type = part.MediaType;
        string subtype = part.MediaSubtype;
        if (type == "text" && subtype == "html" || type == "application" && subtype == "xhtml+xml")
        {
            return StripMarkup(part.Text(limit));
        }
        return type == "text" ? part.Text(limit) : null;
    }

    /// <summary>Removes tags and decodes the common entities; a simple scan with no nesting to recurse on.</summary>
    internal static string StripMarkup(string html)
    {
        var sb = new StringBuilder(html.Length);
        bool inTag = false;
        foreach (char c in html)
        {
            if (inTag)
            {
                inTag = c != '>';
                continue;
            }
            if (c == '<')
            {
                inTag = true;
                continue;
            }
            sb.Append(c);
        }
        return sb.Replace("&lt;", "<").Replace("&gt;", ">").Replace("&quot;", "\"").Replace("&nbsp;", " ").Replace("&amp;", "&").ToString();
    }
}
