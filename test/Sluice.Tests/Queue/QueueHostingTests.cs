using Microsoft.Extensions.DependencyInjection;
using Sluice.Queue;
using Sluice.Queue.Log;
using Sluice.Tests.Durability;
using Sluice.Tests.Support;

namespace Sluice.Tests.Queue;

/// <summary><c>queue.type</c> picks the store (default <c>log</c>), and the host gets an <see cref="IQueueReader"/> on it.</summary>
[TestFixture]
public sealed class QueueHostingTests
{
    [TestCase(null, typeof(LogMessageStore), typeof(LogQueueReader))]
    [TestCase("files", typeof(FilesMessageStore), typeof(FilesQueueReader))]
    [TestCase("log", typeof(LogMessageStore), typeof(LogQueueReader))]
    public async Task The_configured_store_takes_the_message_and_the_hosts_reader_hands_it_out(string? type, Type storeType, Type readerType)
    {
        string[] overrides = type is null ? [] : [$"--queue:type={type}"];
        // The shared test configuration picks "files"; the null case must see the built-in default.
        var toml = type is null ? RunningServer.MinimalToml().Replace("type = \"files\"", "", StringComparison.Ordinal) : RunningServer.MinimalToml();
        await using var server = await RunningServer.StartAsync(toml, overrides);
        Assert.That(server.App.Services.GetRequiredService<IMessageStore>(), Is.InstanceOf(storeType));
        var reader = server.App.Services.GetRequiredService<IQueueReader>();
        Assert.That(reader, Is.InstanceOf(readerType));

        await using var client = await LineClient.ConnectAsync(server.EndPoint("smtp"));
        await StoreDurabilityTests.SendEnvelopeAsync(client);
        await client.SendAsync("Subject: hosted\r\n\r\nbody\r\n.\r\n");
        var reply = await client.ReadLineAsync();
        Assert.That(reply, Does.StartWith("250 2.0.0"));

        var message = reader.ReadReady().Single();
        Assert.That(message.Id, Is.EqualTo(reply!.Split(' ')[^1]));
        Assert.That(System.Text.Encoding.ASCII.GetString(MessageStoreContractTests.ReadContent(message)), Does.EndWith("Subject: hosted\r\n\r\nbody\r\n"));
        reader.MarkDone(message);
        Assert.That(reader.ReadReady(), Is.Empty);
    }
}
