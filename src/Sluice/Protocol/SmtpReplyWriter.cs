using System.Buffers;
using System.Text;

namespace Sluice.Protocol;

/// <summary>
/// Writes replies into the connection's output (a <c>PipeWriter</c> is an <see cref="IBufferWriter{T}"/>)
/// without allocating. The session writes every reply of a pipelined batch, then flushes once.
/// </summary>
public static class SmtpReplyWriter
{
    private const int MaxDynamicTextLength = 1024;

    /// <summary>Writes a pre-encoded reply.</summary>
    public static void Write(IBufferWriter<byte> output, SmtpReply reply)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(reply);
        output.Write(reply.Encoded.Span);
    }

    /// <summary>
    /// Writes a one-line reply made at run time, e.g. <c>250 2.0.0 Message accepted as &lt;id&gt;</c> with
    /// <paramref name="text"/> = "Message accepted as " and <paramref name="suffix"/> = the id. The two
    /// texts are concatenated; CR and LF in them are written as spaces. Text beyond 1024 characters is cut.
    /// </summary>
    public static void Write(IBufferWriter<byte> output, int code, string? enhancedCode, ReadOnlySpan<char> text, ReadOnlySpan<char> suffix = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (code is < 200 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "An SMTP reply code is 200..599.");
        }

        WriteLine(output, code, enhancedCode, text, suffix, last: true);
    }

    internal static void WriteLine(IBufferWriter<byte> output, int code, string? enhancedCode, ReadOnlySpan<char> text, ReadOnlySpan<char> suffix, bool last)
    {
        if (text.Length + suffix.Length > MaxDynamicTextLength)
        {
            text = text[..Math.Min(text.Length, MaxDynamicTextLength)];
            suffix = suffix[..Math.Min(suffix.Length, MaxDynamicTextLength - text.Length)];
        }

        int max = 4 + (enhancedCode?.Length + 1 ?? 0) + Encoding.UTF8.GetMaxByteCount(text.Length + suffix.Length) + 2;
        var span = output.GetSpan(max);
        span[0] = (byte)('0' + (code / 100));
        span[1] = (byte)('0' + (code / 10 % 10));
        span[2] = (byte)('0' + (code % 10));
        span[3] = last ? (byte)' ' : (byte)'-';
        int pos = 4;
        if (enhancedCode is not null)
        {
            pos += Encoding.ASCII.GetBytes(enhancedCode, span[pos..]);
            if (!text.IsEmpty || !suffix.IsEmpty)
            {
                span[pos++] = (byte)' ';
            }
        }

        int start = pos;
        pos += Encoding.UTF8.GetBytes(text, span[pos..]);
        pos += Encoding.UTF8.GetBytes(suffix, span[pos..]);
        span[start..pos].Replace((byte)'\r', (byte)' ');
        span[start..pos].Replace((byte)'\n', (byte)' ');
        span[pos++] = (byte)'\r';
        span[pos++] = (byte)'\n';
        output.Advance(pos);
    }
}
