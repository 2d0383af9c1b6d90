// A host that consumes Sluice's queue and hands each message to its own code.
//
//   dotnet run --project samples/QueueConsumerSample -- [--queue ./data/queue] [--type log|files] [--once]
//
// It may run beside the server (another process on the same directory) or inside the server's host:
// there, AddSluice already registers an IQueueReader for the configured store.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QueueConsumerSample;
using Sluice.Queue;
using Sluice.Queue.Log;

var path = "./data/queue";
var type = "log";
var once = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--queue" when i + 1 < args.Length:
            path = args[++i];
            break;
        case "--type" when i + 1 < args.Length:
            type = args[++i];
            break;
        case "--once":
            once = true;
            break;
        default:
            Console.Error.WriteLine("usage: QueueConsumerSample [--queue DIR] [--type log|files] [--once]");
            return 2;
    }
}

var builder = Host.CreateApplicationBuilder();
builder.Services.AddSingleton<IQueueReader>(_ => type == "files" ? new FilesQueueReader(path) : new LogQueueReader(path));
builder.Services.AddSingleton<IMessageHandler, SubjectPrintingHandler>();
builder.Services.AddSingleton(new ConsumerOptions(TimeSpan.FromSeconds(1), once));
builder.Services.AddHostedService<QueueConsumerService>();
await builder.Build().RunAsync();
return 0;
