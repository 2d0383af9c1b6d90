using System.Text;
using MimeKit;

namespace Sluice.Sieve.Runtime;

/// <summary>
/// The MIME structure of a message as the body, mime and foreverypart extensions see it: a flat list
/// of parts in document order, each with its parent, built by MimeKit's parser and walked with an
/// explicit stack (no recursion on the message's nesting; depth and part count are capped).
/// </summary>
internal sealed class MimeView
{
    private MimeView(MimeMessage message, List<MimePartInfo> parts, byte[] rawBody)
    {
        Message = message;
        Parts = parts;
        RawBody = rawBody;
    }

    public MimeMessage Message { get; }

    /// <summary>Every part: index 0 is the message's top-level entity.</summary>
    public IReadOnlyList<MimePartInfo> Parts { get; }

    /// <summary>The top-level body as received, undecoded (body :raw).</summary>
    public byte[] RawBody { get; }

    public static MimeView Parse(ISieveMessage message, SieveSettings settings)
    {
        byte[] raw = message.RawBytes.ToArray();
        var options = new ParserOptions { MaxMimeDepth = Math.Max(2, settings.MaxMimeDepth + 1) };
        MimeMessage parsed;
        using (var stream = new MemoryStream(raw, writable: false))
        {
            try
            {
                parsed = MimeMessage.Load(options, stream);
            }
            catch (FormatException)
            {
                parsed = new MimeMessage { Body = new TextPart("plain") { Text = "" } };
            }
        }
        int bodyStart = EditableMessage.BodyStart(raw, out _);
        var parts = new List<MimePartInfo>();
        // Depth-first, in document order, with an explicit stack.
        var stack = new Stack<(MimeEntity Entity, int Parent, int Depth, HeaderList Headers)>();
        if (parsed.Body is { } body)
        {
            stack.Push((body, -1, 0, Merge(parsed.Headers, body.Headers)));
        }
        while (stack.Count > 0 && parts.Count < settings.MaxMimeParts)
        {
            (MimeEntity entity, int parent, int depth, HeaderList headers) = stack.Pop();
            var info = new MimePartInfo(parts.Count, entity, parent, depth, headers);
            parts.Add(info);
            if (parent >= 0)
            {
                parts[parent].Children.Add(info.Index);
            }
            if (depth >= settings.MaxMimeDepth)
            {
                continue;
            }
            switch (entity)
            {
                case Multipart multipart:
                    for (int i = multipart.Count - 1; i >= 0; i--)
                    {
                        stack.Push((multipart[i], info.Index, depth + 1, multipart[i].Headers));
                    }
                    break;
                case MessagePart { Message: { Body: { } inner } embedded }:
                    stack.Push((inner, info.Index, depth + 1, Merge(embedded.Headers, inner.Headers)));
                    break;
                default:
                    break;
            }
        }
        return new MimeView(parsed, parts, raw[bodyStart..]);
    }

    /// <summary>A message's header as written: MimeKit keeps the Content-* fields on the body entity.</summary>
    private static HeaderList Merge(HeaderList message, HeaderList body)
    {
        var merged = new HeaderList();
        foreach (Header h in message)
        {
            merged.Add(h.Clone());
        }
        foreach (Header h in body)
        {
            if (!message.Any(m => string.Equals(m.Field, h.Field, StringComparison.OrdinalIgnoreCase) && m.RawValue.AsSpan().SequenceEqual(h.RawValue)))
            {
                merged.Add(h.Clone());
            }
        }
        return merged;
    }

    /// <summary>The part and all below it, in document order.</summary>
    public IEnumerable<MimePartInfo> Subtree(int index)
    {
        var stack = new Stack<int>();
        stack.Push(index);
        while (stack.Count > 0)
        {
            MimePartInfo part = Parts[stack.Pop()];
            yield return part;
            for (int i = part.Children.Count - 1; i >= 0; i--)
            {
                stack.Push(part.Children[i]);
            }
        }
    }
}

/// <summary>One MIME part: its headers (for a top-level or embedded message, the message's), its content type and text.</summary>
internal sealed class MimePartInfo(int index, MimeEntity entity, int parent, int depth, HeaderList headers)
{
    public int Index { get; } = index;

    public MimeEntity Entity { get; } = entity;

    public int Parent { get; } = parent;

    public int Depth { get; } = depth;

    public HeaderList Headers { get; } = headers;

    public List<int> Children { get; } = [];

    public string MediaType => Entity.ContentType.MediaType.ToLowerInvariant();

    public string MediaSubtype => Entity.ContentType.MediaSubtype.ToLowerInvariant();

    public bool IsMultipart => Entity is Multipart;

    public bool IsMessage => Entity is MessagePart;

    public IReadOnlyList<string> HeaderValues(string name, bool decode)
    {
        var list = new List<string>();
        foreach (Header h in Headers)
        {
            if (string.Equals(h.Field, name, StringComparison.OrdinalIgnoreCase))
            {
                string raw = Encoding.UTF8.GetString(h.RawValue).Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal).Trim();
                list.Add(decode ? EncodedWords.Decode(raw) : raw);
            }
        }
        return list;
    }

    /// <summary>The decoded text of a leaf part (charset applied), cut to the limit; "" for a part without content.</summary>
    public string Text(int limit)
    {
        string text = Entity switch
        {
            TextPart t => t.Text ?? "",
            MimePart p when p.Content is not null => DecodeBytes(p),
            _ => "",
        };
        return text.Length > limit ? text[..limit] : text;
    }

    private static string DecodeBytes(MimePart part)
    {
        using var stream = new MemoryStream();
        part.Content!.DecodeTo(stream);
        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }
}
