using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sluice.Configuration.Settings;
using Sluice.Session;

namespace Sluice.Hosting;

/// <summary>Binds the configured Sluice listeners on Kestrel (SPEC §6).</summary>
public static class SluiceWebHostExtensions
{
    /// <summary>
    /// Binds every <c>[server.listener.&lt;id&gt;]</c>: SMTP listeners run the SMTP connection handler
    /// behind the connection limit; HTTP listeners serve the app's endpoints (health, metrics).
    /// </summary>
    public static IWebHostBuilder UseSluiceListeners(this IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ConfigureKestrel((context, options) =>
        {
            var services = options.ApplicationServices;
            var settings = services.GetRequiredService<SluiceSettings>();
            var registry = services.GetRequiredService<SluiceListenerRegistry>();
            foreach (var listener in settings.Server.Listeners)
            {
                foreach (var endpoint in listener.Bind)
                {
                    options.Listen(endpoint, listen =>
                    {
                        if (listener.Protocol == ListenerProtocol.Http)
                        {
                            listen.Protocols = HttpProtocols.Http1;
                        }
                        else
                        {
                            UseSmtp(listen, listener, settings, services);
                        }
                        registry.Add(new BoundListener(listener, listen));
                    });
                }
            }
        });
    }

    private static void UseSmtp(ListenOptions listen, ListenerSettings listener, SluiceSettings settings, IServiceProvider services)
    {
        var counter = services.GetRequiredService<ConnectionCounter>();
        var loggerFactory = services.GetRequiredService<ILoggerFactory>();
        var feature = new SluiceListenerFeature(listener);
        listen.Use(next => connection =>
        {
            connection.Features.Set<ISluiceListenerFeature>(feature);
            return next(connection);
        });
        listen.Use(next => new DrainMiddleware(
            next, listener, settings, services.GetRequiredService<SluiceDrain>(),
            services.GetRequiredService<Observability.SluiceMetrics>(), loggerFactory.CreateLogger<DrainMiddleware>()).OnConnectionAsync);
        if (listener.ProxyProtocol)
        {
            listen.Use(next => new ProxyProtocolMiddleware(
                next, settings.Server.Proxy, services.GetRequiredService<TimeProvider>(),
                loggerFactory.CreateLogger<ProxyProtocolMiddleware>()).OnConnectionAsync);
        }
        listen.Use(next => new ConnectionLimitMiddleware(
            next, listener, settings, counter, loggerFactory.CreateLogger<ConnectionLimitMiddleware>()).OnConnectionAsync);
        listen.UseConnectionHandler<SmtpConnectionHandler>();
    }
}
