using Sluice.Configuration;
using Sluice.Hosting;
using Sluice.Server;
using Microsoft.Extensions.DependencyInjection;

var commandLine = ServerCommandLine.Parse(args);
if (commandLine.Error is { } usageError)
{
    Console.Error.WriteLine("error: " + usageError);
    Console.Error.WriteLine(ServerCommandLine.Usage);
    return 2;
}

switch (commandLine.Verb)
{
    case ServerVerb.Help:
        Console.WriteLine(ServerCommandLine.Usage);
        return 0;
    case ServerVerb.Check:
        var errors = SluiceServerApp.Check(commandLine);
        foreach (var error in errors)
        {
            Console.Error.WriteLine(error);
        }
        if (errors.Count == 0)
        {
            Console.WriteLine("ok");
        }
        return errors.Count == 0 ? 0 : 1;
    case ServerVerb.Queue:
        using (var stdout = Console.OpenStandardOutput())
        {
            return QueueVerb.Run(commandLine, Console.Out, stdout, Console.Error);
        }
}

Microsoft.AspNetCore.Builder.WebApplication app;
try
{
    app = SluiceServerApp.Build(commandLine);
}
catch (SluiceConfigurationException ex)
{
    foreach (var error in ex.Errors)
    {
        Console.Error.WriteLine(error);
    }
    return 1;
}

await using (app)
{
    try
    {
        await app.StartAsync();
    }
    catch (IOException ex)
    {
        // Typically an address already in use: say which, and fail rather than half-start.
        Console.Error.WriteLine("error: cannot bind a listener: " + ex.Message);
        return 1;
    }

    foreach (var listener in app.Services.GetRequiredService<SluiceListenerRegistry>().Listeners)
    {
        Console.WriteLine(listener.ListeningLine);
    }
    await app.WaitForShutdownAsync();
}
return 0;
