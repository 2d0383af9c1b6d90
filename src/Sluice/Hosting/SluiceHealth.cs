using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Sluice.Hosting;

/// <summary>Maps <c>/healthz</c> (liveness), <c>/readyz</c> (readiness) and <c>/metrics</c> into a host's endpoints (SPEC §5).</summary>
public static class SluiceHealth
{
    /// <summary>Tag of the health checks <c>/readyz</c> runs.</summary>
    public const string ReadyTag = "sluice-ready";

    public static IEndpointRouteBuilder MapSluiceHealth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        // Liveness runs no checks: the process answering is the proof that it can serve.
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReport,
        });
        endpoints.MapSluiceMetrics();
        return endpoints;
    }

    /// <summary>Plain text: the overall status, then one line per check, so an operator can see what is wrong.</summary>
    private static Task WriteReport(HttpContext context, HealthReport report)
    {
        var text = new StringBuilder().Append(report.Status).Append('\n');
        foreach (var (name, entry) in report.Entries)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}: {entry.Status} - {entry.Description}\n");
        }
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text.ToString());
    }
}
