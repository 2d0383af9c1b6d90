namespace Sluice.Queue;

/// <summary>
/// Reads a <c>files</c> store directory: each <c>&lt;id&gt;.json</c> with its <c>&lt;id&gt;.eml</c>, in
/// id order (which is the order of their milliseconds). Marking a message done deletes it (the
/// <c>.json</c> first, so it stops existing at once, then the <c>.eml</c>): the <c>files</c> store is
/// a hand-off directory, and a done message has nothing left to keep.
/// </summary>
public sealed class FilesQueueReader : IQueueReader
{
    private readonly IQueueFileSystem _fileSystem;
    private readonly TimeProvider _timeProvider;
    private readonly bool _fsync;

    public FilesQueueReader(string path, bool fsync = true, IQueueFileSystem? fileSystem = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        DirectoryPath = Path.GetFullPath(path);
        _fsync = fsync;
        _fileSystem = fileSystem ?? PhysicalQueueFileSystem.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public string DirectoryPath { get; }

    /// <inheritdoc/>
    public IEnumerable<QueuedMessage> List()
    {
        if (!Directory.Exists(DirectoryPath))
        {
            yield break;
        }

        var now = _timeProvider.GetUtcNow();
        var jsonFiles = _fileSystem.EnumerateFiles(DirectoryPath)
            .Where(p => p.EndsWith(FilesMessageStore.JsonExtension, StringComparison.Ordinal)
                && MessageId.IsValid(Path.GetFileNameWithoutExtension(p)))
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (var jsonPath in jsonFiles)
        {
            byte[] json;
            try
            {
                json = File.ReadAllBytes(jsonPath);
            }
            catch (FileNotFoundException)
            {
                continue; // consumed meanwhile
            }

            var envelope = EnvelopeJson.Read(json);
            var emlPath = Path.ChangeExtension(jsonPath, FilesMessageStore.EmlExtension);
            var state = envelope.HoldUntil > now ? QueuedMessageState.Held : QueuedMessageState.Queued;
            yield return new QueuedMessage(envelope, json, state, () => _fileSystem.OpenRead(emlPath), jsonPath);
        }
    }

    /// <inheritdoc/>
    public void MarkDone(QueuedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Location is not string jsonPath)
        {
            throw new ArgumentException("The message does not come from a files store reader.", nameof(message));
        }

        _fileSystem.Delete(jsonPath);
        _fileSystem.Delete(Path.ChangeExtension(jsonPath, FilesMessageStore.EmlExtension));
        if (_fsync)
        {
            _fileSystem.FlushDirectory(DirectoryPath);
        }
    }
}
