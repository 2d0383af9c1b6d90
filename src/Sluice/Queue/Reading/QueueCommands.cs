using System.Globalization;
using System.Text;

namespace Sluice.Queue;

/// <summary>The <c>queue list|show|export</c> verbs of SPEC §2.9, on any <see cref="IQueueReader"/>.</summary>
public static class QueueCommands
{
    /// <summary>
    /// One line per message, fields separated by one TAB: id, received-at (RFC 3339), from (<c>&lt;&gt;</c>
    /// for the null sender), recipients joined by <c>,</c>, size, state. No header line.
    /// </summary>
    public static void List(IQueueReader reader, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(output);
        foreach (var message in reader.List())
        {
            output.Write(FormatLine(message));
            output.Write('\n');
        }
    }

    /// <summary>One <c>queue list</c> line, without its line feed.</summary>
    public static string FormatLine(QueuedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var e = message.Envelope;
        return string.Join('\t',
            e.Id,
            e.ReceivedAt.UtcDateTime.ToString(Rfc3339JsonConverter.Format, CultureInfo.InvariantCulture),
            e.From.Length == 0 ? "<>" : e.From,
            string.Join(',', e.To.Select(t => t.Address)),
            e.Size.ToString(CultureInfo.InvariantCulture),
            message.State switch
            {
                QueuedMessageState.Held => "held",
                QueuedMessageState.Done => "done",
                _ => "queued",
            });
    }

    /// <summary>
    /// The envelope as its <c>.json</c>, a blank line, then the message's header section (up to the
    /// empty line that ends it, or the whole message when it has none). False when no message has <paramref name="id"/>.
    /// </summary>
    public static bool Show(IQueueReader reader, string id, Stream output)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(output);
        var message = reader.List().FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.Ordinal));
        if (message is null)
        {
            return false;
        }

        output.Write(message.EnvelopeJson);
        output.Write("\n"u8);
        using var content = message.OpenContent();
        CopyHeaderSection(content, output);
        output.Flush();
        return true;
    }

    /// <summary>Writes every message as <c>&lt;dir&gt;/&lt;id&gt;.eml</c> + <c>&lt;dir&gt;/&lt;id&gt;.json</c>. Returns how many.</summary>
    public static int Export(IQueueReader reader, string directory)
    {
        ArgumentNullException.ThrowIfNull(reader);
        Directory.CreateDirectory(directory);
        var count = 0;
        foreach (var message in reader.List())
        {
            var basePath = Path.Combine(directory, message.Id);
            using (var content = message.OpenContent())
            using (var eml = new FileStream(basePath + FilesMessageStore.EmlExtension, FileMode.Create, FileAccess.Write))
            {
                content.CopyTo(eml);
            }

            File.WriteAllBytes(basePath + FilesMessageStore.JsonExtension, message.EnvelopeJson);
            count++;
        }

        return count;
    }

    /// <summary>Copies lines until the empty line (CRLF or LF) that ends the header section; that line is not copied.</summary>
    private static void CopyHeaderSection(Stream content, Stream output)
    {
        using var reader = new BufferedStream(content, 64 * 1024);
        var line = new List<byte>(256);
        while (true)
        {
            var b = reader.ReadByte();
            if (b < 0)
            {
                output.Write(line.ToArray());
                return;
            }

            line.Add((byte)b);
            if (b != '\n')
            {
                continue;
            }

            if (line.Count == 1 || (line.Count == 2 && line[0] == '\r'))
            {
                return;
            }

            output.Write(line.ToArray());
            line.Clear();
        }
    }

    /// <summary>The text of <see cref="Show"/> as a string (tests, small tools).</summary>
    public static string? ShowToString(IQueueReader reader, string id)
    {
        using var buffer = new MemoryStream();
        return Show(reader, id, buffer) ? Encoding.UTF8.GetString(buffer.ToArray()) : null;
    }
}
