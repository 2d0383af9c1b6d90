using System.Buffers;
using System.Globalization;
using System.Text;

namespace Sluice.Protocol;

/// <summary>
/// An SMTP reply: a three-digit code, an optional enhanced status code (RFC 3463) and one or more
/// lines of text. Immutable; its wire form is encoded once, in the constructor, so writing a reply
/// is a copy of <see cref="Encoded"/>.
/// </summary>
public sealed class SmtpReply
{
    private readonly byte[] _encoded;

    /// <summary>Creates a one-line reply.</summary>
    /// <param name="code">200..599.</param>
    /// <param name="enhancedCode"><c>class.subject.detail</c> whose class matches the code's first digit, or null.</param>
    /// <param name="text">Free text without CR or LF.</param>
    public SmtpReply(int code, string? enhancedCode, string text)
        : this(code, enhancedCode, [text])
    {
    }

    /// <summary>Creates a reply of one or more lines (<c>250-first</c> ... <c>250 last</c>).</summary>
    public SmtpReply(int code, string? enhancedCode, IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (code is < 200 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "An SMTP reply code is 200..599.");
        }

        if (enhancedCode is not null && !IsValidEnhancedCode(enhancedCode, code))
        {
            throw new ArgumentException($"'{enhancedCode}' is not an enhanced status code of class {code / 100}.", nameof(enhancedCode));
        }

        if (lines.Count == 0)
        {
            throw new ArgumentException("A reply has at least one line.", nameof(lines));
        }

        var copy = new string[lines.Count];
        for (int i = 0; i < copy.Length; i++)
        {
            var line = lines[i] ?? string.Empty;
            if (line.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                throw new ArgumentException("Reply text must not contain CR or LF.", nameof(lines));
            }

            copy[i] = line;
        }

        Code = code;
        EnhancedCode = enhancedCode;
        Lines = copy;
        _encoded = Encode(code, enhancedCode, copy);
    }

    /// <summary>The three-digit reply code.</summary>
    public int Code { get; }

    /// <summary>The enhanced status code (e.g. <c>5.1.2</c>), or null.</summary>
    public string? EnhancedCode { get; }

    /// <summary>The text lines, without code or enhanced code.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>The text of a one-line reply, or the lines joined by a space.</summary>
    public string Text => Lines.Count == 1 ? Lines[0] : string.Join(' ', Lines);

    /// <summary>The reply as it goes on the wire, every line ending in CRLF.</summary>
    public ReadOnlyMemory<byte> Encoded => _encoded;

    /// <summary>2xx/3xx.</summary>
    public bool IsPositive => Code < 400;

    /// <summary>4xx: the client may try again later.</summary>
    public bool IsTransient => Code is >= 400 and < 500;

    /// <summary>5xx.</summary>
    public bool IsPermanent => Code >= 500;

    /// <summary>Copies the encoded reply into <paramref name="output"/> (no allocation).</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(_encoded);
    }

    /// <summary>
    /// A reply from a text such as a Sieve <c>reject</c> reason (SPEC §2.8): text starting with three
    /// digits and a space is the whole reply (with its enhanced code if one follows); otherwise the
    /// reply is <paramref name="defaultCode"/> <paramref name="defaultEnhancedCode"/> followed by the text.
    /// CR/LF in the text become spaces; multiple lines are not taken from the text.
    /// </summary>
    public static SmtpReply FromText(string text, int defaultCode, string? defaultEnhancedCode)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.ReplaceLineEndings(" ").Trim();
        if (text.Length >= 4 && char.IsAsciiDigit(text[0]) && char.IsAsciiDigit(text[1]) && char.IsAsciiDigit(text[2]) && text[3] == ' '
            && text[0] is >= '2' and <= '5')
        {
            int code = int.Parse(text.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture);
            var rest = text[4..].TrimStart();
            int space = rest.IndexOf(' ', StringComparison.Ordinal);
            var first = space < 0 ? rest : rest[..space];
            if (IsValidEnhancedCode(first, code))
            {
                return new SmtpReply(code, first, space < 0 ? string.Empty : rest[(space + 1)..].TrimStart());
            }

            return new SmtpReply(code, null, rest);
        }

        return new SmtpReply(defaultCode, defaultEnhancedCode, text);
    }

    /// <summary>Checks <c>class "." subject "." detail</c> (RFC 3463: class 2/4/5, subject and detail 1..3 digits) with the class matching <paramref name="code"/>.</summary>
    public static bool IsValidEnhancedCode(string enhancedCode, int code)
    {
        ArgumentNullException.ThrowIfNull(enhancedCode);
        var parts = enhancedCode.AsSpan();
        if (parts.Length < 5 || parts[0] - '0' != code / 100 || parts[0] is not ('2' or '4' or '5') || parts[1] != '.')
        {
            return false;
        }

        parts = parts[2..];
        int dot = parts.IndexOf('.');
        return dot is >= 1 and <= 3 && AllDigits(parts[..dot]) && parts.Length - dot - 1 is >= 1 and <= 3 && AllDigits(parts[(dot + 1)..]);

        static bool AllDigits(ReadOnlySpan<char> s) => !s.ContainsAnyExceptInRange('0', '9');
    }

    public override string ToString() => Encoding.UTF8.GetString(_encoded).TrimEnd();

    private static byte[] Encode(int code, string? enhancedCode, string[] lines)
    {
        var buffer = new ArrayBufferWriter<byte>();
        for (int i = 0; i < lines.Length; i++)
        {
            SmtpReplyWriter.WriteLine(buffer, code, enhancedCode, lines[i], default, last: i == lines.Length - 1);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
