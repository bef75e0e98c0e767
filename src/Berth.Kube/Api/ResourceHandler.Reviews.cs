using System.Text.Json.Nodes;
using Berth.Kube.Authentication;
using Berth.Kube.Authorization;
using Berth.Kube.Resources;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Api;

internal sealed partial class ResourceHandler
{
    /// <summary>
    /// An access review: checked, answered by the authorizer every request meets, and sent back with its status
    /// (201, as a create is), never stored.
    /// </summary>
    private async Task ReviewAsync(HttpContext context, ResourceType type, string? ns, RequestInfo request)
    {
        if (request.Verb != "create" || request.Subresource is not null || type.Strategy is not AccessReviewStrategy review)
        {
            throw KubeApiException.MethodNotSupported(type.Plural, request.Verb);
        }
        var obj = await ReadBodyAsync(context, type);
        var errors = review.Validate(obj).ToList();
        if (errors.Count > 0)
        {
            throw KubeApiException.Invalid(type.Kind, type.Group, "", errors);
        }
        var decision = await authorizer.AuthorizeAsync(review.RequestOf(obj, KubeUserFeature.Get(context), ns), context.RequestAborted);
        var status = new JsonObject { ["allowed"] = decision.Allowed };
        if (decision.Reason.Length > 0)
        {
            status["reason"] = decision.Reason;
        }
        obj["status"] = status;
        ((JsonObject)obj["metadata"]!)["creationTimestamp"] = null;
        await KubeResponse.WriteAsync(context, 201, obj);
    }
}
