using System.Text.Json.Nodes;
using Berth.Aws.Endpoint;
using static Berth.Aws.Endpoint.JsonInput;

namespace Berth.Aws.Eks;

/// <summary>
/// EKS's access entry operations: entries for IAM users and roles, with their Kubernetes user name and groups, and the
/// access policies associated with them (cluster-wide or in namespaces). Served for clusters whose authentication mode
/// includes <c>API</c>, as in EKS.
/// </summary>
internal sealed class AccessEntryOperations(ClusterOperations clusters, AccessEntries entries, TimeProvider time)
{
    public async Task<JsonObject> CreateAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await ApiClusterAsync(request, input, cancellationToken);
        var principal = Principal(input);
        var type = Text(input, "type") ?? "STANDARD";
        if (type != "STANDARD")
        {
            throw EksInput.Invalid($"The access entry type {type} is not supported; Berth's nodes join with the installation's credentials.");
        }
        var now = time.GetUtcNow();
        var entry = new AccessEntry
        {
            AccountId = cluster.AccountId,
            Region = cluster.Region,
            ClusterName = cluster.Name,
            PrincipalArn = principal,
            Uid = Guid.NewGuid().ToString(),
            Username = Username(input) ?? DefaultUsername(principal),
            KubernetesGroups = Groups(input),
            CreatedAt = now,
            ModifiedAt = now,
            Tags = EksInput.Tags(input),
        };
        await entries.CreateAsync(cluster, entry, cancellationToken);
        return new JsonObject { ["accessEntry"] = Describe(entry) };
    }

    public async Task<JsonObject> DescribeAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await ApiClusterAsync(request, input, cancellationToken);
        return new JsonObject { ["accessEntry"] = Describe(await entries.GetAsync(cluster, Principal(input), cancellationToken)) };
    }

    public async Task<JsonObject> ListAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await ApiClusterAsync(request, input, cancellationToken);
        var policy = Text(input, "associatedPolicyArn");
        var all = (await entries.ListAsync(cluster, cancellationToken)).Where(e => policy is null || e.Policies.Any(p => p.PolicyArn == policy));
        return EksInput.Page(input, [.. all.Select(e => e.PrincipalArn)], "accessEntries");
    }

    public async Task<JsonObject> UpdateAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await ApiClusterAsync(request, input, cancellationToken);
        var entry = await entries.GetAsync(cluster, Principal(input), cancellationToken);
        var username = Username(input);
        var groups = input["kubernetesGroups"] is null ? null : Groups(input);
        entry = await entries.UpdateAsync(cluster, entry, e => e with
        {
            Username = username ?? e.Username,
            KubernetesGroups = groups ?? e.KubernetesGroups,
            ModifiedAt = time.GetUtcNow(),
        }, cancellationToken);
        return new JsonObject { ["accessEntry"] = Describe(entry) };
    }

    public async Task<JsonObject> DeleteAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await ApiClusterAsync(request, input, cancellationToken);
        await entries.DeleteAsync(cluster, await entries.GetAsync(cluster, Principal(input), cancellationToken), cancellationToken);
        return [];
    }

    public async Task<JsonObject> AssociatePolicyAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await ApiClusterAsync(request, input, cancellationToken);
        var entry = await entries.GetAsync(cluster, Principal(input), cancellationToken);
        var policyArn = PolicyArn(input);
        var scope = EksInput.Structure(input, "accessScope");
        var scopeType = scope["type"]?.GetValue<string>() ?? throw EksInput.Invalid("accessScope.type can't be null.");
        var namespaces = Strings(scope, "namespaces") ?? [];
        if (scopeType is not ("cluster" or "namespace") || (scopeType == "namespace") != (namespaces.Count > 0))
        {
            throw EksInput.Invalid("accessScope.type must be cluster (with no namespaces) or namespace (with at least one).");
        }
        if (scopeType == "namespace" && policyArn.EndsWith("/AmazonEKSClusterAdminPolicy", StringComparison.Ordinal))
        {
            throw EksInput.Invalid("AmazonEKSClusterAdminPolicy can only be associated with the cluster scope.");
        }
        var now = time.GetUtcNow();
        entry = await entries.UpdateAsync(cluster, entry, e => e with
        {
            Policies = [.. e.Policies.Where(p => p.PolicyArn != policyArn),
                new AssociatedAccessPolicy(policyArn, scopeType, namespaces, e.Policies.FirstOrDefault(p => p.PolicyArn == policyArn)?.AssociatedAt ?? now, now)],
            ModifiedAt = now,
        }, cancellationToken);
        return new JsonObject
        {
            ["clusterName"] = cluster.Name,
            ["principalArn"] = entry.PrincipalArn,
            ["associatedAccessPolicy"] = DescribePolicy(entry.Policies.First(p => p.PolicyArn == policyArn)),
        };
    }

    public async Task<JsonObject> DisassociatePolicyAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await ApiClusterAsync(request, input, cancellationToken);
        var entry = await entries.GetAsync(cluster, Principal(input), cancellationToken);
        var policyArn = PolicyArn(input);
        if (entry.Policies.All(p => p.PolicyArn != policyArn))
        {
            throw new AwsException("ResourceNotFoundException", "The specified policyArn is not associated with this access entry.", 404);
        }
        await entries.UpdateAsync(cluster, entry, e => e with { Policies = [.. e.Policies.Where(p => p.PolicyArn != policyArn)], ModifiedAt = time.GetUtcNow() },
            cancellationToken);
        return [];
    }

    public async Task<JsonObject> ListAssociatedPoliciesAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await ApiClusterAsync(request, input, cancellationToken);
        var entry = await entries.GetAsync(cluster, Principal(input), cancellationToken);
        return new JsonObject
        {
            ["clusterName"] = cluster.Name,
            ["principalArn"] = entry.PrincipalArn,
            ["associatedAccessPolicies"] = new JsonArray([.. entry.Policies.Select(p => (JsonNode)DescribePolicy(p))]),
        };
    }

    public static JsonObject ListPolicies(JsonObject input)
    {
        var page = EksInput.Page(input, [.. AccessEntries.Policies.Keys], "accessPolicies");
        page["accessPolicies"] = new JsonArray([.. page["accessPolicies"]!.AsArray().Select(a => (JsonNode)new JsonObject
        {
            ["name"] = a!.GetValue<string>().Split('/')[^1],
            ["arn"] = a.GetValue<string>(),
        })]);
        return page;
    }

    /// <summary>The creator's entry EKS makes with a cluster whose mode includes <c>API</c>: the cluster admin policy, cluster-wide.</summary>
    public static AccessEntry CreatorEntry(EksCluster cluster) => new()
    {
        AccountId = cluster.AccountId,
        Region = cluster.Region,
        ClusterName = cluster.Name,
        PrincipalArn = cluster.Creator,
        Uid = Guid.NewGuid().ToString(),
        Username = DefaultUsername(cluster.Creator),
        CreatedAt = cluster.CreatedAt,
        ModifiedAt = cluster.CreatedAt,
        Policies = [new AssociatedAccessPolicy("arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", "cluster", [], cluster.CreatedAt, cluster.CreatedAt)],
    };

    private async Task<EksCluster> ApiClusterAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await clusters.GetAsync(request, input, cancellationToken);
        return AccessEntries.AuthenticationMode(cluster).StartsWith("API", StringComparison.Ordinal)
            ? cluster
            : throw new AwsException("InvalidRequestException",
                "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.");
    }

    private static string Principal(JsonObject input)
    {
        var arn = Text(input, "principalArn") ?? throw EksInput.Invalid("principalArn can't be null or empty.");
        return arn.StartsWith("arn:aws:iam::", StringComparison.Ordinal) && (arn.Contains(":user/", StringComparison.Ordinal) || arn.Contains(":role/", StringComparison.Ordinal))
            ? arn
            : throw EksInput.Invalid($"The principalArn {arn} is not the ARN of an IAM user or role.");
    }

    private static string PolicyArn(JsonObject input)
    {
        var arn = Text(input, "policyArn") ?? throw EksInput.Invalid("policyArn can't be null or empty.");
        return AccessEntries.Policies.ContainsKey(arn) ? arn : throw EksInput.Invalid($"The policy {arn} is not an access policy; ListAccessPolicies lists them.");
    }

    private static string? Username(JsonObject input) => Text(input, "username") is { } name
        ? name.StartsWith("system:", StringComparison.Ordinal) && !name.StartsWith("system:node:", StringComparison.Ordinal)
            ? throw EksInput.Invalid($"The username {name} is invalid: names beginning with system: are reserved.")
            : name
        : null;

    private static List<string> Groups(JsonObject input)
    {
        var groups = Strings(input, "kubernetesGroups") ?? [];
        return groups.FirstOrDefault(g => g.StartsWith("system:", StringComparison.Ordinal)) is { } reserved
            ? throw EksInput.Invalid($"The kubernetesGroup {reserved} is invalid: groups beginning with system: are reserved.")
            : groups;
    }

    /// <summary>EKS's user name for an entry that names none: a user's ARN, or the role's session ARN with its session's name.</summary>
    private static string DefaultUsername(string principal) =>
        principal.Split(':', 6) is [_, _, _, _, var account, var resource] && resource.StartsWith("role/", StringComparison.Ordinal)
            ? $"arn:aws:sts::{account}:assumed-role/{resource.Split('/')[^1]}/{{{{SessionName}}}}"
            : principal;

    private static JsonObject Describe(AccessEntry entry) => new()
    {
        ["clusterName"] = entry.ClusterName,
        ["principalArn"] = entry.PrincipalArn,
        ["kubernetesGroups"] = new JsonArray([.. entry.KubernetesGroups.Select(g => (JsonNode)g)]),
        ["accessEntryArn"] = entry.Arn,
        ["createdAt"] = Timestamp(entry.CreatedAt),
        ["modifiedAt"] = Timestamp(entry.ModifiedAt),
        ["tags"] = EksTagging.Map(entry.Tags),
        ["username"] = entry.Username,
        ["type"] = entry.Type,
    };

    private static JsonObject DescribePolicy(AssociatedAccessPolicy policy) => new()
    {
        ["policyArn"] = policy.PolicyArn,
        ["accessScope"] = new JsonObject
        {
            ["type"] = policy.ScopeType,
            ["namespaces"] = new JsonArray([.. policy.Namespaces.Select(n => (JsonNode)n)]),
        },
        ["associatedAt"] = Timestamp(policy.AssociatedAt),
        ["modifiedAt"] = Timestamp(policy.ModifiedAt),
    };
}
