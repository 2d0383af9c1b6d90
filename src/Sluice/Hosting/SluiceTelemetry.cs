using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using Sluice.Observability;

namespace Sluice.Hosting;

/// <summary>
/// Metrics (the <c>Sluice</c> meter, exported in the Prometheus text format at <c>/metrics</c>) and
/// where traces come from (the <c>Sluice</c> activity source). A host that wants traces adds its
/// own exporter: <c>services.AddOpenTelemetry().WithTracing(t =&gt; t.AddSource(SluiceActivities.SourceName).AddOtlpExporter())</c>.
/// </summary>
public static class SluiceTelemetry
{
    /// <summary>Registers the instruments and an OpenTelemetry meter provider with the Prometheus exporter.</summary>
    public static IServiceCollection AddSluiceMetrics(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMetrics();
        services.TryAddSingleton(sp => new SluiceMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(SluiceMetrics.MeterName)
            .AddPrometheusExporter());
        return services;
    }

    /// <summary>Maps <c>/metrics</c> (Prometheus text) into a host's endpoints.</summary>
    public static IEndpointRouteBuilder MapSluiceMetrics(this IEndpointRouteBuilder endpoints, string path = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPrometheusScrapingEndpoint(path);
        return endpoints;
    }
}
