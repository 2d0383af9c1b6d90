using System.Globalization;
using System.Text;

namespace Sluice.Queue.Log;

/// <summary>
/// The done-markers of one segment: <c>&lt;writer&gt;-&lt;seq&gt;.done</c>, one line per message a
/// consumer finished, holding the record's offset in the segment (<c>4096\n</c>). Appended and
/// flushed (fsync with <c>queue.fsync</c>) before <see cref="IQueueReader.MarkDone"/> returns. A line
/// without its line feed (a torn append) does not count.
/// </summary>
internal static class LogDoneMarkers
{
    public static HashSet<long> Read(IQueueFileSystem fileSystem, string donePath)
    {
        var done = new HashSet<long>();
        byte[] bytes;
        try
        {
            using var stream = fileSystem.OpenRead(donePath);
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            bytes = memory.ToArray();
        }
        catch (FileNotFoundException)
        {
            return done;
        }

        var text = Encoding.ASCII.GetString(bytes);
        var start = 0;
        while (text.IndexOf('\n', start) is var end and >= 0)
        {
            if (long.TryParse(text.AsSpan(start, end - start), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                done.Add(offset);
            }

            start = end + 1;
        }

        return done;
    }

    /// <summary>Appends one marker durably. Returns whether the file was new (its name needs a directory fsync).</summary>
    public static bool Append(IQueueFileSystem fileSystem, string donePath, long offset, bool fsync)
    {
        var isNew = !fileSystem.FileExists(donePath);
        using (var stream = fileSystem.OpenAppend(donePath))
        {
            stream.Write(Encoding.ASCII.GetBytes(offset.ToString(CultureInfo.InvariantCulture) + "\n"));
            fileSystem.Flush(stream, fsync);
        }

        return isNew;
    }
}
