using Sluice.Queue;
using Sluice.Queue.Log;

namespace Sluice.Tests.Queue;

/// <summary>The contract suite against the <c>files</c> store.</summary>
[TestFixture]
internal sealed class FilesStoreContractTests : MessageStoreContractTests
{
    protected override IReadOnlyList<(string Step, string Suffix, int Occurrence)> FailureSteps { get; } =
    [
        ("create", ".eml.tmp", 1),
        ("write", ".eml.tmp", 1),
        ("write", ".eml.tmp", 3),
        ("fsync", ".eml.tmp", 1),
        ("move", ".eml.tmp", 1),
        ("fsync-dir", "", 1),
        ("create", ".json.tmp", 1),
        ("fsync", ".json.tmp", 1),
        ("move", ".json.tmp", 1),
        ("fsync-dir", "", 2),
    ];

    protected override IMessageStore NewStore(string path, IQueueFileSystem? fileSystem, bool fsync) =>
        new FilesMessageStore(new FilesMessageStoreOptions { Path = path, Fsync = fsync }, fileSystem);

    protected override IQueueReader NewReader(string path, TimeProvider? time = null) =>
        new FilesQueueReader(path, timeProvider: time);
}

/// <summary>
/// The contract suite against the <c>log</c> store. Messages over 2,000 bytes are staged in a file,
/// so both staging paths (memory and spill file) go through every test.
/// </summary>
[TestFixture]
internal sealed class LogStoreContractTests : MessageStoreContractTests
{
    internal const int SpillThreshold = 2000;

    protected override IReadOnlyList<(string Step, string Suffix, int Occurrence)> FailureSteps { get; } =
    [
        ("create", LogSegmentNames.StagingSuffix, 1),   // the message outgrows memory
        ("write", LogSegmentNames.StagingSuffix, 2),
        ("flush", LogSegmentNames.StagingSuffix, 1),    // staged bytes handed to the OS before commit
        ("create", ".seg", 1),                          // the writer cannot start a segment
        ("write", ".seg", 1),                           // the batch cannot be appended
        ("fsync", ".seg", 1),                           // the group flush fails
        ("fsync-dir", "", 1),                           // the new segment's name cannot be made durable
    ];

    protected override IMessageStore NewStore(string path, IQueueFileSystem? fileSystem, bool fsync) =>
        new LogMessageStore(new LogMessageStoreOptions { Path = path, Fsync = fsync, SpillThreshold = SpillThreshold }, fileSystem);

    protected override IQueueReader NewReader(string path, TimeProvider? time = null) =>
        new LogQueueReader(path, timeProvider: time);
}
