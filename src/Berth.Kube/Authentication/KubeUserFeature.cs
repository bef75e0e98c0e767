using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Authentication;

/// <summary>Where a request's authenticated (and, if asked, impersonated) user is kept for the handlers after.</summary>
internal static class KubeUserFeature
{
    private static readonly object s_key = new();

    public static void Set(HttpContext context, KubeUser user) => context.Items[s_key] = user;

    public static KubeUser Get(HttpContext context) =>
        context.Items[s_key] as KubeUser ?? throw new InvalidOperationException("the request was not authenticated");
}
