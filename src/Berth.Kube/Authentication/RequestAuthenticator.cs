using Berth.Kube.Api;
using Berth.Kube.Resources;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Authentication;

/// <summary>
/// Who sent a request: the client certificate of its connection, else the bearer token it carries. A
/// service-account token counts only while its account exists with the uid it was issued for, so deleting the
/// account revokes its tokens, as kube-apiserver's token authenticator does.
/// </summary>
internal sealed class RequestAuthenticator(
    ClientCertificateAuthenticator certificates,
    ServiceAccountTokens tokens,
    ResourceHandler objects,
    ResourceRegistry registry)
{
    public async Task<KubeUser?> AuthenticateAsync(HttpContext context)
    {
        if (await certificates.AuthenticateAsync(context) is { } user)
        {
            return user;
        }
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        if (await tokens.ValidateAsync(header["Bearer ".Length..].Trim()) is not { } claims)
        {
            return null;
        }
        var accounts = registry.Find("", "v1", "serviceaccounts")!;
        var account = await objects.GetObjectAsync(KubeApiOptions.DefaultCluster, accounts, claims.Namespace, claims.Name, context.RequestAborted);
        if (account?["metadata"]?["uid"].AsText() != claims.Uid)
        {
            return null;
        }
        return new KubeUser($"system:serviceaccount:{claims.Namespace}:{claims.Name}",
            ["system:serviceaccounts", $"system:serviceaccounts:{claims.Namespace}", "system:authenticated"]);
    }
}
