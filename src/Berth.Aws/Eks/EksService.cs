using System.Text.Json.Nodes;
using Berth.Aws.Endpoint;
using Berth.Aws.Iam;
using Microsoft.AspNetCore.Http;

namespace Berth.Aws.Eks;

/// <summary>
/// Amazon EKS's API (REST-JSON): clusters, managed node groups, Fargate profiles, access entries, add-ons and tags. A path no route
/// matches answers UnknownOperationException; the compatibility table lists the routes.
/// </summary>
internal sealed class EksService(ClusterOperations clusters, ClusterUpdates updates, NodegroupOperations nodegroups, FargateOperations fargate, AccessEntryOperations access,
    EksTagging tagging, IdentityAuthorizer authorizer) : IAwsService
{
    /// <summary>The operations served, by route; the compatibility table lists the same.</summary>
    public static readonly IReadOnlyList<RestJsonProtocol.Route> Routes =
    [
        new("POST", "/clusters", "CreateCluster"),
        new("GET", "/clusters", "ListClusters"),
        new("GET", "/clusters/{name}", "DescribeCluster"),
        new("DELETE", "/clusters/{name}", "DeleteCluster"),
        new("POST", "/clusters/{name}/update-config", "UpdateClusterConfig"),
        new("POST", "/clusters/{name}/updates", "UpdateClusterVersion"),
        new("GET", "/clusters/{name}/updates", "ListUpdates"),
        new("GET", "/clusters/{name}/updates/{updateId}", "DescribeUpdate"),
        new("POST", "/clusters/{name}/node-groups", "CreateNodegroup"),
        new("GET", "/clusters/{name}/node-groups", "ListNodegroups"),
        new("GET", "/clusters/{name}/node-groups/{nodegroupName}", "DescribeNodegroup"),
        new("DELETE", "/clusters/{name}/node-groups/{nodegroupName}", "DeleteNodegroup"),
        new("POST", "/clusters/{name}/node-groups/{nodegroupName}/update-config", "UpdateNodegroupConfig"),
        new("POST", "/clusters/{name}/fargate-profiles", "CreateFargateProfile"),
        new("GET", "/clusters/{name}/fargate-profiles", "ListFargateProfiles"),
        new("GET", "/clusters/{name}/fargate-profiles/{fargateProfileName}", "DescribeFargateProfile"),
        new("DELETE", "/clusters/{name}/fargate-profiles/{fargateProfileName}", "DeleteFargateProfile"),
        new("POST", "/clusters/{name}/access-entries", "CreateAccessEntry"),
        new("GET", "/clusters/{name}/access-entries", "ListAccessEntries"),
        new("GET", "/clusters/{name}/access-entries/{principalArn}", "DescribeAccessEntry"),
        new("POST", "/clusters/{name}/access-entries/{principalArn}", "UpdateAccessEntry"),
        new("DELETE", "/clusters/{name}/access-entries/{principalArn}", "DeleteAccessEntry"),
        new("POST", "/clusters/{name}/access-entries/{principalArn}/access-policies", "AssociateAccessPolicy"),
        new("GET", "/clusters/{name}/access-entries/{principalArn}/access-policies", "ListAssociatedAccessPolicies"),
        new("DELETE", "/clusters/{name}/access-entries/{principalArn}/access-policies/{policyArn}", "DisassociateAccessPolicy"),
        new("GET", "/access-policies", "ListAccessPolicies"),
        new("POST", "/clusters/{name}/addons", "CreateAddon"),
        new("GET", "/clusters/{name}/addons", "ListAddons"),
        new("GET", "/clusters/{name}/addons/{addonName}", "DescribeAddon"),
        new("DELETE", "/clusters/{name}/addons/{addonName}", "DeleteAddon"),
        new("GET", "/addons/supported-versions", "DescribeAddonVersions"),
        new("POST", "/tags/{resourceArn}", "TagResource"),
        new("GET", "/tags/{resourceArn}", "ListTagsForResource"),
        new("DELETE", "/tags/{resourceArn}", "UntagResource"),
    ];

    public string SigningName => "eks";

    public AwsProtocol Protocol => AwsProtocol.RestJson;

    public async Task HandleAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var (operation, labels) = RestJsonProtocol.Match(Routes, request.Http.Request);
        var input = RestJsonProtocol.Input(request, labels);
        if (input["clusterName"] is null && labels.TryGetValue("name", out var clusterName))
        {
            input["clusterName"] = clusterName; // the node group and profile operations name their cluster so in their input
        }
        if (await authorizer.RefusalAsync(request.Caller, "eks:" + operation, ResourceOf(request, labels, input), cancellationToken) is { } refusal)
        {
            throw new AwsException("AccessDeniedException", refusal, 403);
        }
        var result = await (operation switch
        {
            "CreateCluster" => clusters.CreateAsync(request, input, cancellationToken),
            "ListClusters" => clusters.ListAsync(request, input, cancellationToken),
            "DescribeCluster" => clusters.DescribeAsync(request, input, cancellationToken),
            "DeleteCluster" => clusters.DeleteAsync(request, input, cancellationToken),
            "UpdateClusterConfig" => updates.UpdateConfigAsync(request, input, cancellationToken),
            "UpdateClusterVersion" => updates.UpdateVersionAsync(request, input, cancellationToken),
            "ListUpdates" => updates.ListAsync(request, input, cancellationToken),
            "DescribeUpdate" => updates.DescribeAsync(request, input, cancellationToken),
            "CreateNodegroup" => nodegroups.CreateAsync(request, input, cancellationToken),
            "ListNodegroups" => nodegroups.ListAsync(request, input, cancellationToken),
            "DescribeNodegroup" => nodegroups.DescribeAsync(request, input, cancellationToken),
            "DeleteNodegroup" => nodegroups.DeleteAsync(request, input, cancellationToken),
            "UpdateNodegroupConfig" => nodegroups.UpdateConfigAsync(request, input, cancellationToken),
            "CreateFargateProfile" => fargate.CreateAsync(request, input, cancellationToken),
            "ListFargateProfiles" => fargate.ListAsync(request, input, cancellationToken),
            "DescribeFargateProfile" => fargate.DescribeAsync(request, input, cancellationToken),
            "DeleteFargateProfile" => fargate.DeleteAsync(request, input, cancellationToken),
            "CreateAccessEntry" => access.CreateAsync(request, input, cancellationToken),
            "ListAccessEntries" => access.ListAsync(request, input, cancellationToken),
            "DescribeAccessEntry" => access.DescribeAsync(request, input, cancellationToken),
            "UpdateAccessEntry" => access.UpdateAsync(request, input, cancellationToken),
            "DeleteAccessEntry" => access.DeleteAsync(request, input, cancellationToken),
            "AssociateAccessPolicy" => access.AssociatePolicyAsync(request, input, cancellationToken),
            "ListAssociatedAccessPolicies" => access.ListAssociatedPoliciesAsync(request, input, cancellationToken),
            "DisassociateAccessPolicy" => access.DisassociatePolicyAsync(request, input, cancellationToken),
            "ListAccessPolicies" => Task.FromResult(AccessEntryOperations.ListPolicies(input)),
            "ListAddons" => ListAddonsAsync(request, input, cancellationToken),
            "DescribeAddon" or "DeleteAddon" => DescribeAddonAsync(request, input, cancellationToken),
            "CreateAddon" => CreateAddonAsync(request, input, cancellationToken),
            "DescribeAddonVersions" => Task.FromResult(EksInput.Page(input, [], "addons")),
            "TagResource" => tagging.TagAsync(request, input, cancellationToken),
            "ListTagsForResource" => tagging.ListAsync(request, input, cancellationToken),
            "UntagResource" => tagging.UntagAsync(request, input, cancellationToken),
            _ => throw new AwsException("UnknownOperationException", $"Unknown operation {operation}", 404),
        });
        await RestJsonProtocol.WriteResultAsync(request.Http.Response, result, cancellationToken);
    }

    public Task WriteErrorAsync(HttpResponse response, AwsException failure, string requestId, CancellationToken cancellationToken) =>
        RestJsonProtocol.WriteErrorAsync(response, failure, cancellationToken);

    /// <summary>
    /// No EKS add-on is installed in a Berth cluster: the cluster's DNS, proxy, networking and metrics are the
    /// server's own (the user guide says which are built), so the list is empty, each add-on is not found, no version
    /// is offered, and CreateAddon answers what EKS answers for an add-on it does not offer.
    /// </summary>
    private async Task<JsonObject> ListAddonsAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        await clusters.GetAsync(request, input, cancellationToken);
        return EksInput.Page(input, [], "addons");
    }

    private async Task<JsonObject> CreateAddonAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await clusters.GetAsync(request, input, cancellationToken);
        var name = EksInput.Name(input, "addonName");
        throw EksInput.Invalid($"Addon {name} specified is not supported in {cluster.Version} kubernetes version: Berth clusters build in their "
            + "networking, DNS and metrics, and install no EKS add-ons");
    }

    private async Task<JsonObject> DescribeAddonAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await clusters.GetAsync(request, input, cancellationToken);
        throw new AwsException("ResourceNotFoundException", $"No addon: {input["addonName"]} found in cluster: {cluster.Name}", 404);
    }

    /// <summary>The resource an operation acts on, for the caller's policies.</summary>
    private static string ResourceOf(AwsRequest request, Dictionary<string, string> labels, JsonObject input)
    {
        var prefix = $"arn:aws:eks:{request.Region}:{request.Caller.AccountId}";
        return labels.TryGetValue("resourceArn", out var arn) ? arn
            : !labels.TryGetValue("name", out var cluster)
                ? input["name"] is JsonValue name && name.TryGetValue<string>(out var created) ? $"{prefix}:cluster/{created}" : "*"
            : labels.TryGetValue("nodegroupName", out var group) ? $"{prefix}:nodegroup/{cluster}/{group}/*"
            : labels.TryGetValue("fargateProfileName", out var profile) ? $"{prefix}:fargateprofile/{cluster}/{profile}/*"
            : labels.TryGetValue("addonName", out var addon) ? $"{prefix}:addon/{cluster}/{addon}/*"
            : labels.ContainsKey("principalArn") ? $"{prefix}:access-entry/{cluster}/*"
            : $"{prefix}:cluster/{cluster}";
    }
}
