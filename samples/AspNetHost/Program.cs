using Sluice.Configuration.Toml;
using Sluice.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddTomlFile(Path.Combine(AppContext.BaseDirectory, "sluice.toml"));
builder.Configuration.AddCommandLine(args); // --server:listener:smtp:bind=... still wins over the file

// SMTP next to the app: the [server]/[session]/[queue] sections, and the listeners bound on Kestrel.
builder.Services.AddSluice(builder.Configuration)
    .UseRcpt(async (context, next) =>
    {
        // The app's own rule at the RCPT stage: this sample takes mail for one domain only.
        if (!context.Recipient.EndsWith("@example.com", StringComparison.OrdinalIgnoreCase))
        {
            context.Refuse(new Sluice.Protocol.SmtpReply(550, "5.1.1", "This sample takes mail for example.com only"));
            return;
        }
        await next(context);
    });
builder.WebHost.UseSluiceListeners();

var app = builder.Build();

// The app's own endpoints...
app.MapGet("/", () => "Hello from the app. SMTP is served by the same process on 127.0.0.1:2525.");
app.MapGet("/api/status", (SluiceListenerRegistry listeners) => new
{
    listeners = listeners.Listeners.Select(l => l.ListeningLine),
    draining = listeners.Draining,
});

// ...and Sluice's /healthz, /readyz and /metrics in the same routing.
app.MapSluiceHealth();

// Like Sluice.Server, say where each listener is bound (a port of 0 is resolved by then).
app.Lifetime.ApplicationStarted.Register(() =>
{
    foreach (var listener in app.Services.GetRequiredService<SluiceListenerRegistry>().Listeners)
    {
        Console.WriteLine(listener.ListeningLine);
    }
});

app.Run();
