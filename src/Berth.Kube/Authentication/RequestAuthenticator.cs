using Berth.Kube.Api;
using Berth.Kube.Resources;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Authentication;

/// <summary>
/// Who sent a request: the client certificate of its connection, else the bearer token it carries. A
/// service-account token counts only while its account exists with the uid it was issued for, so deleting the
/// account revokes its tokens, as kube-apiserver's token authenticator does; other tokens are offered to the
/// outside verifiers (EKS's <c>aws eks get-token</c>), whose identities <see cref="AwsAuthMapping"/> maps.
/// </summary>
internal sealed class RequestAuthenticator(
    ClientCertificateAuthenticator certificates,
    ServiceAccountTokens tokens,
    ResourceHandler objects,
    ResourceRegistry registry,
    IEnumerable<IExternalTokenVerifier> externalVerifiers,
    AwsAuthMapping awsAuth)
{
    public async Task<KubeUser?> AuthenticateAsync(HttpContext context, string cluster)
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
        var token = header["Bearer ".Length..].Trim();
        if (await tokens.ValidateAsync(cluster, token) is not { } claims)
        {
            // not one of the cluster's own tokens: perhaps one an outside provider vouches for
            foreach (var verifier in externalVerifiers)
            {
                if (await verifier.VerifyAsync(cluster, token, context.RequestAborted) is { } identity)
                {
                    return await awsAuth.MapAsync(cluster, identity, context.RequestAborted);
                }
            }
            return null;
        }
        var accounts = registry.Find("", "v1", "serviceaccounts")!;
        var account = await objects.GetObjectAsync(cluster, accounts, claims.Namespace, claims.Name, context.RequestAborted);
        if (account?["metadata"]?["uid"].AsText() != claims.Uid)
        {
            return null;
        }
        return new KubeUser($"system:serviceaccount:{claims.Namespace}:{claims.Name}",
            ["system:serviceaccounts", $"system:serviceaccounts:{claims.Namespace}", "system:authenticated"]);
    }
}
