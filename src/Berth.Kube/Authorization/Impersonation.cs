using Berth.Kube.Api;
using Berth.Kube.Authentication;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Authorization;

/// <summary>
/// The <c>Impersonate-User</c> and <c>Impersonate-Group</c> headers (<c>kubectl --as</c>, <c>--as-group</c>): the
/// request is made as another user when its sender may <c>impersonate</c> that user and those groups.
/// </summary>
internal sealed class Impersonation(RbacAuthorizer authorizer)
{
    private const string ServiceAccountPrefix = "system:serviceaccount:";

    public async Task<KubeUser> ApplyAsync(HttpContext context, KubeUser requester)
    {
        var headers = context.Request.Headers;
        var name = headers["Impersonate-User"].ToString();
        var groups = headers["Impersonate-Group"].Where(g => !string.IsNullOrEmpty(g)).Select(g => g!).ToList();
        if (name.Length == 0)
        {
            return groups.Count == 0 ? requester : throw KubeApiException.BadRequest("requested groups to impersonate without impersonating a user");
        }
        var effectiveGroups = new List<string>(groups);
        AccessRequest target;
        if (name.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal) && name[ServiceAccountPrefix.Length..].Split(':') is [var ns, var account])
        {
            target = new AccessRequest(requester, "impersonate", true, "", "serviceaccounts", null, ns, account, "");
            effectiveGroups.AddRange(["system:serviceaccounts", $"system:serviceaccounts:{ns}"]);
        }
        else
        {
            target = new AccessRequest(requester, "impersonate", true, "", "users", null, null, name, "");
        }
        await RequireAsync(target, context.RequestAborted);
        foreach (var group in groups)
        {
            await RequireAsync(new AccessRequest(requester, "impersonate", true, "", "groups", null, null, group, ""), context.RequestAborted);
        }
        if (!effectiveGroups.Contains("system:authenticated"))
        {
            effectiveGroups.Add("system:authenticated");
        }
        return new KubeUser(name, effectiveGroups);
    }

    private async Task RequireAsync(AccessRequest request, CancellationToken cancellationToken)
    {
        if (!(await authorizer.AuthorizeAsync(request, cancellationToken)).Allowed)
        {
            throw request.Forbidden();
        }
    }
}
