using System.Text;
using Microsoft.Extensions.Logging;
using Sluice.Queue;

namespace QueueConsumerSample;

/// <summary>An example handler: reads the message as a stream and logs its envelope and Subject.</summary>
public sealed partial class SubjectPrintingHandler(ILogger<SubjectPrintingHandler> logger) : IMessageHandler
{
    public async Task HandleAsync(QueuedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await using var content = message.OpenContent();
        using var reader = new StreamReader(content, Encoding.UTF8);
        var subject = "";
        for (var i = 0; i < 1000 && await reader.ReadLineAsync(cancellationToken) is { Length: > 0 } line; i++)
        {
            if (line.StartsWith("Subject:", StringComparison.OrdinalIgnoreCase))
            {
                subject = line["Subject:".Length..].Trim();
            }
        }

        var e = message.Envelope;
        var to = string.Join(',', e.To.Select(t => t.Address));
        Log.Delivered(logger, e.Id, e.From.Length == 0 ? "<>" : e.From, to, e.Size, subject);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Message {Id} from {From} to {To} ({Size} bytes): {Subject}")]
        public static partial void Delivered(ILogger logger, string id, string from, string to, long size, string subject);
    }
}
