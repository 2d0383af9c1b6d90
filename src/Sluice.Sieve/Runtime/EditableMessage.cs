using System.Text;
using MimeKit;

namespace Sluice.Sieve.Runtime;

/// <summary>
/// A message whose header section a script edits (editheader) or whose body it replaces (replace).
/// Fields keep their raw text (folding included) so untouched fields are written back as received;
/// added fields are encoded and folded by MimeKit. The body is kept as bytes.
/// </summary>
internal sealed class EditableMessage : ISieveMessage
{
    private readonly List<Field> _fields;
    private byte[] _body;
    private byte[]? _serialized;

    private EditableMessage(List<Field> fields, byte[] body, IReadOnlyList<string> flags)
    {
        _fields = fields;
        _body = body;
        Flags = flags;
    }

    /// <summary>One header field: its name and its raw value (everything after the colon, CRLF folds kept).</summary>
    internal readonly record struct Field(string Name, string RawValue)
    {
        public string Unfolded => RawValue.Replace("\r\n", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal).Trim();
    }

    public static EditableMessage From(ISieveMessage message)
    {
        if (message is EditableMessage editable)
        {
            return editable;
        }
        ReadOnlySpan<byte> raw = message.RawBytes.Span;
        int bodyStart = BodyStart(raw, out int headerEnd);
        string header = Encoding.UTF8.GetString(raw[..headerEnd]);
        var fields = new List<Field>();
        string? name = null;
        var value = new StringBuilder();
        foreach (string line in header.Split('\n'))
        {
            string l = line.TrimEnd('\r');
            if (l.Length == 0)
            {
                continue;
            }
            if (l[0] is ' ' or '\t')
            {
                if (name is not null)
                {
                    value.Append("\r\n").Append(l);
                }
                continue;
            }
            if (name is not null)
            {
                fields.Add(new Field(name, value.ToString()));
            }
            int colon = l.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                name = null;
                continue;
            }
            name = l[..colon].TrimEnd();
            value.Clear().Append(l, colon + 1, l.Length - colon - 1);
        }
        if (name is not null)
        {
            fields.Add(new Field(name, value.ToString()));
        }
        return new EditableMessage(fields, raw[bodyStart..].ToArray(), message.Flags);
    }

    /// <summary>Whether the message has a body at all: a header followed by the empty line.</summary>
    internal static bool HasBody(ReadOnlySpan<byte> raw) =>
        raw.StartsWith("\r\n"u8) || raw.StartsWith("\n"u8) || raw.IndexOf("\r\n\r\n"u8) >= 0 || raw.IndexOf("\n\n"u8) >= 0;

    /// <summary>Where the body starts (after the blank line); headerEnd is where the header section's text ends.</summary>
    internal static int BodyStart(ReadOnlySpan<byte> raw, out int headerEnd)
    {
        // A message may start with its blank line (no header at all).
        if (raw.StartsWith("\r\n"u8))
        {
            headerEnd = 0;
            return 2;
        }
        if (raw.StartsWith("\n"u8))
        {
            headerEnd = 0;
            return 1;
        }
        int crlf = raw.IndexOf("\r\n\r\n"u8);
        int lf = raw.IndexOf("\n\n"u8);
        if (crlf >= 0 && (lf < 0 || crlf < lf))
        {
            headerEnd = crlf + 2;
            return crlf + 4;
        }
        if (lf >= 0)
        {
            headerEnd = lf + 1;
            return lf + 2;
        }
        headerEnd = raw.Length;
        return raw.Length;
    }

    public IReadOnlyList<Field> Fields => _fields;

    public IReadOnlyList<string> Flags { get; }

    public long Size => Serialize().Length;

    public ReadOnlyMemory<byte> RawBytes => Serialize();

    public ReadOnlyMemory<byte> Body => _body;

    public IReadOnlyList<string> GetHeaderValues(string name)
    {
        var list = new List<string>();
        foreach (Field f in _fields)
        {
            if (string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                list.Add(EncodedWords.Decode(f.Unfolded));
            }
        }
        return list;
    }

    public IReadOnlyList<string> GetRawHeaderValues(string name)
    {
        var list = new List<string>();
        foreach (Field f in _fields)
        {
            if (string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                list.Add(f.Unfolded);
            }
        }
        return list;
    }

    /// <summary>Adds a field, first or (last) at the end. MimeKit encodes a non-ASCII value (RFC 2047) and folds it.</summary>
    public void Add(string name, string value, bool last)
    {
        var header = new Header(Encoding.UTF8, name, value);
        string raw = Encoding.UTF8.GetString(header.RawValue).TrimEnd('\r', '\n');
        var field = new Field(name, raw);
        if (last)
        {
            _fields.Add(field);
        }
        else
        {
            _fields.Insert(0, field);
        }
        _serialized = null;
    }

    public void RemoveAt(int index)
    {
        _fields.RemoveAt(index);
        _serialized = null;
    }

    /// <summary>Replaces the body and the content fields (replace, RFC 5703 §5).</summary>
    public void ReplaceBody(byte[] body, IEnumerable<(string Name, string Value)> contentFields)
    {
        _fields.RemoveAll(f => f.Name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase) ||
                               string.Equals(f.Name, "MIME-Version", StringComparison.OrdinalIgnoreCase));
        _fields.Add(new Field("MIME-Version", " 1.0"));
        foreach ((string name, string value) in contentFields)
        {
            _fields.Add(new Field(name, " " + value));
        }
        _body = body;
        _serialized = null;
    }

    public byte[] Serialize()
    {
        if (_serialized is not null)
        {
            return _serialized;
        }
        var sb = new StringBuilder();
        foreach (Field f in _fields)
        {
            sb.Append(f.Name).Append(':').Append(f.RawValue).Append("\r\n");
        }
        sb.Append("\r\n");
        byte[] head = Encoding.UTF8.GetBytes(sb.ToString());
        var all = new byte[head.Length + _body.Length];
        head.CopyTo(all, 0);
        _body.CopyTo(all, head.Length);
        _serialized = all;
        return all;
    }
}
