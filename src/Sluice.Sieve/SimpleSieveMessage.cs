using System.Collections.Concurrent;
using System.Text;
using Sluice.Sieve.Runtime;

namespace Sluice.Sieve;

/// <summary>
/// A message read from its raw bytes: only the header section is parsed (enough for part 1's tests).
/// Header fields are unfolded; values are trimmed; <see cref="GetHeaderValues"/> decodes RFC 2047 words.
/// </summary>
public sealed class SimpleSieveMessage : ISieveMessage
{
    private readonly List<(string Name, string Value)> _fields = [];
    private readonly byte[] _raw;

    public SimpleSieveMessage(ReadOnlySpan<byte> raw, IReadOnlyList<string>? flags = null)
    {
        _raw = raw.ToArray();
        Flags = flags ?? [];
        // Only the header section is decoded: the body is read (by MimeKit) when a test asks for it.
        EditableMessage.BodyStart(_raw, out int headerEnd);
        ParseHeader(Encoding.UTF8.GetString(_raw, 0, headerEnd));
    }

    /// <summary>Builds a message from text, writing line ends as CRLF as on the wire.</summary>
    public static SimpleSieveMessage FromText(string text, IReadOnlyList<string>? flags = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        string crlf = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal);
        return new SimpleSieveMessage(Encoding.UTF8.GetBytes(crlf), flags);
    }

    public long Size => _raw.Length;

    public ReadOnlyMemory<byte> RawBytes => _raw;

    public IReadOnlyList<string> Flags { get; }

    /// <summary>Header fields in order, unfolded, undecoded.</summary>
    public IReadOnlyList<(string Name, string Value)> Fields => _fields;

    // Lookups are cached per name: a message is read by many tests and many runs (one per recipient).
    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> _decoded = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> _undecoded = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<string> GetHeaderValues(string name) =>
        _decoded.TryGetValue(name, out IReadOnlyList<string>? cached) ? cached
        : _decoded.GetOrAdd(name, static (n, fields) => fields.Where(f => string.Equals(f.Name, n, StringComparison.OrdinalIgnoreCase)).Select(f => EncodedWords.Decode(f.Value)).ToArray(), _fields);

    public IReadOnlyList<string> GetRawHeaderValues(string name) =>
        _undecoded.TryGetValue(name, out IReadOnlyList<string>? cached) ? cached
        : _undecoded.GetOrAdd(name, static (n, fields) => fields.Where(f => string.Equals(f.Name, n, StringComparison.OrdinalIgnoreCase)).Select(f => f.Value).ToArray(), _fields);

    private void ParseHeader(string text)
    {
        string? name = null;
        var value = new StringBuilder();
        int pos = 0;
        while (pos < text.Length)
        {
            int eol = text.IndexOf('\n', pos);
            int next = eol < 0 ? text.Length : eol + 1;
            string line = text[pos..(eol < 0 ? text.Length : eol)].TrimEnd('\r');
            pos = next;
            if (line.Length == 0)
            {
                break; // end of the header section
            }
            if (line[0] is ' ' or '\t')
            {
                // Unfolding (RFC 5322 §2.2.3) removes the line break, keeps the whitespace.
                if (name is not null)
                {
                    value.Append(line);
                }
                continue;
            }
            Flush();
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                name = null;
                continue;
            }
            name = line[..colon].TrimEnd();
            value.Clear().Append(line, colon + 1, line.Length - colon - 1);
        }
        Flush();

        void Flush()
        {
            if (name is not null)
            {
                _fields.Add((name, value.ToString().Trim()));
                name = null;
            }
        }
    }
}
