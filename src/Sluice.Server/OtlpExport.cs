using System.Collections;
using Microsoft.Extensions.Configuration;
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

    public static void AddIfConfigured(IServiceCollection services, IConfigurationBuilder configuration)
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EndpointVariable)))
        {
            return;
        }
        // The exporter reads its OTEL_* settings from IConfiguration, and the server's configuration
        // holds only Sluice's layers: hand it the OTEL_* variables, names unchanged.
        var otel = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            if (variable.Key is string name && name.StartsWith("OTEL_", StringComparison.OrdinalIgnoreCase))
            {
                otel[name] = variable.Value as string;
            }
        }
        configuration.AddInMemoryCollection(otel);
        services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(SluiceActivities.SourceName).AddOtlpExporter())
            .WithMetrics(metrics => metrics.AddMeter(SluiceMetrics.MeterName).AddOtlpExporter());
    }
}
