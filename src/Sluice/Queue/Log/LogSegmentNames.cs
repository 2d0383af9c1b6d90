using System.Globalization;

namespace Sluice.Queue.Log;

/// <summary>
/// File names in a <c>log</c> store directory. Each writer (one per store instance, so one per
/// process) has a unique id and appends only to its own segments, so several processes can share a
/// directory: <c>&lt;writer&gt;-&lt;seq&gt;.seg</c> (the segments), <c>&lt;writer&gt;.lock</c> (held
/// while the writer lives), <c>&lt;writer&gt;-&lt;seq&gt;.done</c> (the consumers' done-markers of a
/// segment) and <c>&lt;message-id&gt;.stage.tmp</c> (a large message being received).
/// Writer ids are time-ordered, so the ordinal order of segment names is the order they were begun.
/// </summary>
public static class LogSegmentNames
{
    public const string SegmentExtension = ".seg";
    public const string DoneExtension = ".done";
    public const string LockExtension = ".lock";
    public const string StagingSuffix = ".stage.tmp";

    public static string Segment(string writerId, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{writerId}-{sequence:D6}{SegmentExtension}");

    public static string Lock(string writerId) => writerId + LockExtension;

    /// <summary>The done-marker file of a segment file (a full path stays a full path).</summary>
    public static string DoneFor(string segmentPath) =>
        segmentPath[..^SegmentExtension.Length] + DoneExtension;

    /// <summary>Parses <c>&lt;writer&gt;-&lt;seq&gt;.seg</c>.</summary>
    public static bool TryParseSegment(string fileName, out string writerId, out int sequence)
    {
        writerId = "";
        sequence = 0;
        if (!fileName.EndsWith(SegmentExtension, StringComparison.Ordinal))
        {
            return false;
        }

        var stem = fileName[..^SegmentExtension.Length];
        var dash = stem.LastIndexOf('-');
        if (dash <= 0
            || !int.TryParse(stem.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out sequence)
            || !MessageId.IsValid(stem.AsSpan(0, dash)))
        {
            return false;
        }

        writerId = stem[..dash];
        return true;
    }

    /// <summary>The writer id of a segment's path (empty when it is not a segment).</summary>
    public static string WriterOf(string segmentPath) =>
        TryParseSegment(Path.GetFileName(segmentPath), out var writerId, out _) ? writerId : "";

    /// <summary>The segments in <paramref name="directory"/>, in the order they were begun.</summary>
    public static List<string> ListSegments(IQueueFileSystem fileSystem, string directory)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return fileSystem.EnumerateFiles(directory)
            .Where(p => TryParseSegment(Path.GetFileName(p), out _, out _))
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
