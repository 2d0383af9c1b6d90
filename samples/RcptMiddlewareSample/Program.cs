using RcptMiddlewareSample;
using Sluice.Configuration.Toml;
using Sluice.Hosting;

// An ASP.NET Core host that is also a mail server: Sluice reads its [server]/[session]/[queue]
// sections from appsettings.toml, binds its SMTP listener on Kestrel, and refuses recipients of
// blocked domains through the host's own RCPT middleware.
//
//   dotnet run --project samples/RcptMiddlewareSample
//   swaks --to someone@blocked.example --server 127.0.0.1:2526     -> 550 5.7.1
//   swaks --to someone@example.org --server 127.0.0.1:2526         -> 250 2.0.0
var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddTomlFile(Path.Combine(AppContext.BaseDirectory, "appsettings.toml"));
builder.Configuration.AddCommandLine(args); // --server:listener:smtp:bind=127.0.0.1:2600 still wins over the file

builder.Services.AddSluice(builder.Configuration)
    .UseRcpt(BlockedDomains.Refuse("blocked.example", "spam.example"));
builder.WebHost.UseSluiceListeners();

var app = builder.Build();
app.MapSluiceHealth();
app.MapGet("/", () => "A host application with its own endpoints and an SMTP listener.");
app.Run();
