using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Sluice.Observability;

namespace Sluice.Server;

/// <summary>
/// OTLP export of Sluice's traces and metrics, switched on by the standard OpenTelemetry variable
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (and configured by the other <c>OTEL_*</c> variables the
/// exporter reads). Without it, no activity is created and metrics stay on <c>/metrics</c>.
/// </summary>
internal static class OtlpExport
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static void AddIfConfigured(IServiceCollection services)
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EndpointVariable)))
        {
            return;
        }
        services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(SluiceActivities.SourceName).AddOtlpExporter())
            .WithMetrics(metrics => metrics.AddMeter(SluiceMetrics.MeterName).AddOtlpExporter());
    }
}
