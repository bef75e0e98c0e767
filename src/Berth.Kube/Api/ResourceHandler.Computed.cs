using Berth.Kube.Resources;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Api;

/// <summary>
/// Get and list of the kinds the server computes rather than stores (<see cref="IResourceStrategy.Computed"/>), with
/// label and field selectors and tables as for stored kinds; nothing else is served for them.
/// </summary>
internal sealed partial class ResourceHandler
{
    private async Task ComputedAsync(HttpContext context, string cluster, ResourceType type, string? ns, RequestInfo request)
    {
        if (request.Subresource is not null)
        {
            throw KubeApiException.UnknownResource();
        }
        if (request.Verb is not ("get" or "list"))
        {
            throw KubeApiException.MethodNotSupported(type.Plural, request.Verb);
        }
        var source = _computed.FirstOrDefault(c => c.Handles(type)) ?? throw KubeApiException.UnknownResource();
        var items = await source.ListAsync(cluster, type, ns, context.RequestAborted);
        if (request.Verb == "get")
        {
            var found = items.FirstOrDefault(o => o["metadata"]?["name"].AsText() == request.Name)
                ?? throw KubeApiException.NotFound(type.Group.Length == 0 ? type.Plural : $"{type.Plural}.{type.Group}", request.Name!);
            await KubeResponse.WriteAsync(context, 200, KubeResponse.WantsTable(context) ? TablePrinter.Print(type, [found], null, null, time.GetUtcNow()) : found);
            return;
        }
        var query = context.Request.Query;
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"], type.Strategy.FieldLabels, type.Strategy.FieldLabelDefaults);
        await WriteListAsync(context, type, [.. items.Where(o => labels.Matches(o) && fields.Matches(o))], null, null);
    }
}
