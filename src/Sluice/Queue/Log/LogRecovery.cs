using Microsoft.Extensions.Logging;

namespace Sluice.Queue.Log;

/// <summary>
/// Takes over the segments of dead writers when a store starts: for each writer whose lock no live
/// process holds, every segment not already sealed is cut back to its last complete record (a torn
/// tail is reported) and sealed, so consumers can finish and delete it. A segment without even its
/// header is deleted. Segments of live writers (other processes sharing the directory) are never
/// touched: only their owner may repair them.
/// </summary>
internal sealed partial class LogRecovery(IQueueFileSystem fileSystem, string directory, bool fsync, ILogger logger)
{
    /// <summary>What recovery did: torn tails cut (segment, bytes removed) and empty segments deleted.</summary>
    public sealed record Report(List<(string Segment, long BytesRemoved)> TornTails, int SegmentsSealed, int SegmentsDeleted);

    public Report Run(string ownWriterId)
    {
        var torn = new List<(string, long)>();
        var sealedCount = 0;
        var deleted = 0;
        var byWriter = LogSegmentNames.ListSegments(fileSystem, directory)
            .GroupBy(LogSegmentNames.WriterOf, StringComparer.Ordinal);
        foreach (var group in byWriter)
        {
            if (string.Equals(group.Key, ownWriterId, StringComparison.Ordinal))
            {
                continue;
            }

            var unsealed = group.Where(p => !LooksSealed(p)).ToList();
            if (unsealed.Count == 0)
            {
                continue;
            }

            var lockPath = Path.Combine(directory, LogSegmentNames.Lock(group.Key));
            using var writerLock = fileSystem.TryLock(lockPath);
            if (writerLock is null)
            {
                continue; // a live process owns these segments
            }

            foreach (var segment in unsealed)
            {
                switch (Repair(segment, torn))
                {
                    case true:
                        sealedCount++;
                        break;
                    case false:
                        deleted++;
                        break;
                }
            }

            TryDelete(lockPath);
        }

        RemoveLockFilesWithoutSegments(ownWriterId);
        if (deleted > 0 && fsync)
        {
            fileSystem.FlushDirectory(directory);
        }

        return new Report(torn, sealedCount, deleted);
    }

    /// <summary>Quick check: the file ends with the (constant) seal record.</summary>
    private bool LooksSealed(string segment)
    {
        try
        {
            using var stream = fileSystem.OpenRead(segment);
            var seal = LogFormat.SealRecord();
            if (stream.Length < LogFormat.SegmentHeaderLength + seal.Length)
            {
                return false;
            }

            stream.Position = stream.Length - seal.Length;
            var tail = new byte[seal.Length];
            stream.ReadExactly(tail);
            return tail.AsSpan().SequenceEqual(seal);
        }
        catch (FileNotFoundException)
        {
            return true; // deleted meanwhile: nothing to repair
        }
    }

    /// <summary>True when sealed, false when deleted, null when nothing needed doing.</summary>
    private bool? Repair(string segment, List<(string, long)> torn)
    {
        bool deleteIt;
        using (var stream = fileSystem.OpenSegmentForRepair(segment))
        {
            var scan = LogSegmentScanner.Scan(stream);
            if (scan.Sealed && scan.ValidEnd == scan.Length)
            {
                return null;
            }

            deleteIt = !scan.HeaderValid;
            if (!deleteIt)
            {
                if (scan.ValidEnd < scan.Length)
                {
                    Log.TornTail(logger, segment, scan.Length - scan.ValidEnd, scan.ValidEnd);
                    torn.Add((segment, scan.Length - scan.ValidEnd));
                    fileSystem.SetLength(stream, scan.ValidEnd);
                }

                stream.Position = scan.ValidEnd;
                stream.Write(LogFormat.SealRecord());
                fileSystem.Flush(stream, fsync);
            }
        }

        if (deleteIt)
        {
            Log.EmptySegmentDeleted(logger, segment);
            fileSystem.Delete(segment);
            TryDelete(LogSegmentNames.DoneFor(segment));
            return false;
        }

        return true;
    }

    private void RemoveLockFilesWithoutSegments(string ownWriterId)
    {
        var writers = LogSegmentNames.ListSegments(fileSystem, directory)
            .Select(LogSegmentNames.WriterOf)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var path in fileSystem.EnumerateFiles(directory).ToList())
        {
            var name = Path.GetFileName(path);
            if (!name.EndsWith(LogSegmentNames.LockExtension, StringComparison.Ordinal))
            {
                continue;
            }

            var writer = name[..^LogSegmentNames.LockExtension.Length];
            if (writers.Contains(writer) || string.Equals(writer, ownWriterId, StringComparison.Ordinal))
            {
                continue;
            }

            using var held = fileSystem.TryLock(path);
            if (held is not null)
            {
                TryDelete(path);
            }
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            fileSystem.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.DeleteFailed(logger, path, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3211, Level = LogLevel.Warning, Message = "Recovered the queue segment {Segment}: cut a torn tail of {Bytes} bytes at offset {Offset} (a crash interrupted a write; no acknowledged message is lost).")]
        public static partial void TornTail(ILogger logger, string segment, long bytes, long offset);

        [LoggerMessage(EventId = 3212, Level = LogLevel.Warning, Message = "Deleted the queue segment {Segment}: it holds no complete header (a crash right after it was created).")]
        public static partial void EmptySegmentDeleted(ILogger logger, string segment);

        [LoggerMessage(EventId = 3213, Level = LogLevel.Warning, Message = "Could not delete {Path}.")]
        public static partial void DeleteFailed(ILogger logger, string path, Exception exception);
    }
}
