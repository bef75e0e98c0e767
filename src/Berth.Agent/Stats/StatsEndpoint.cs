using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Berth.Agent.Stats;

/// <summary><c>GET /stats/summary</c>, the kubelet's Summary API, which the API server's metrics scraper reads.</summary>
internal sealed class StatsEndpoint(ResourceUsage usage)
{
    public async Task HandleAsync(HttpContext context)
    {
        var summary = await usage.SummaryAsync(context.RequestAborted);
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, summary, StatsJsonContext.Default.StatsSummary, context.RequestAborted);
    }
}
