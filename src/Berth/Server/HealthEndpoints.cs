using Berth.Store;

namespace Berth.Server;

/// <summary>Kubernetes-style probes: alive while the process serves; ready while the store answers.</summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok"));
        endpoints.MapGet("/livez", () => Results.Text("ok"));
        endpoints.MapGet("/readyz", async (IStore store, CancellationToken cancellationToken) =>
        {
            try
            {
                await store.GetStatusAsync(cancellationToken);
                return Results.Text("ok");
            }
            catch (StoreException e)
            {
                return Results.Text($"store: {e.Message}", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        return endpoints;
    }
}
