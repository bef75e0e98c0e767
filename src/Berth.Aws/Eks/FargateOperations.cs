using System.Text.Json.Nodes;
using Berth.Aws.Endpoint;
using static Berth.Aws.Endpoint.JsonInput;

namespace Berth.Aws.Eks;

/// <summary>
/// EKS's Fargate profile operations. A profile is stored CREATING and made ACTIVE by the Fargate controller; from then
/// on, pods created in the cluster that its selectors match run each on a node of their own. Deleting a profile deletes
/// the pods it placed, as EKS does.
/// </summary>
internal sealed class FargateOperations(ClusterOperations clusters, FargateProfiles profiles, TimeProvider time)
{
    public async Task<JsonObject> CreateAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await clusters.GetAsync(request, input, cancellationToken);
        var name = EksInput.Name(input, "fargateProfileName");
        if (cluster.Status != "ACTIVE")
        {
            throw new AwsException("InvalidRequestException", $"Cluster '{cluster.Name}' is not in ACTIVE status");
        }
        var selectors = Objects(input, "selectors").Select(s => new FargateSelector(
            Text(s, "namespace") is { Length: > 0 } ns ? ns : throw EksInput.Invalid("A selector's namespace can't be null or empty."),
            s["labels"] switch
            {
                null => new Dictionary<string, string>(StringComparer.Ordinal),
                JsonObject labels => labels.ToDictionary(l => l.Key, l => l.Value is JsonValue v && v.TryGetValue<string>(out var text) ? text
                    : throw new AwsException("SerializationException", "'labels' must be a map of strings"), StringComparer.Ordinal),
                _ => throw new AwsException("SerializationException", "'labels' must be a map of strings"),
            })).ToList();
        if (selectors.Count is 0 or > 5)
        {
            throw EksInput.Invalid("A Fargate profile needs 1 to 5 selectors.");
        }
        if (selectors.Any(s => s.Labels.Count > 5))
        {
            throw EksInput.Invalid("A Fargate profile selector may have at most 5 labels.");
        }
        if (await profiles.ListAsync(cluster, cancellationToken) is var existing && existing.Any(p => p.Status is "CREATING" or "DELETING"))
        {
            throw new AwsException("ResourceInUseException", "Cannot create a Fargate profile while another is being created or deleted in this cluster.", 409);
        }
        var profile = new FargateProfile
        {
            AccountId = cluster.AccountId,
            Region = cluster.Region,
            ClusterName = cluster.Name,
            Name = name,
            Uid = Guid.NewGuid().ToString(),
            CreatedAt = time.GetUtcNow(),
            Status = "CREATING",
            PodExecutionRoleArn = Text(input, "podExecutionRoleArn") ?? throw EksInput.Invalid("podExecutionRoleArn can't be null or empty."),
            Selectors = selectors,
            Subnets = Strings(input, "subnets") ?? [],
            Tags = EksInput.Tags(input),
        };
        await profiles.CreateAsync(profile, cancellationToken);
        return new JsonObject { ["fargateProfile"] = Describe(profile) };
    }

    public async Task<JsonObject> DescribeAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await clusters.GetAsync(request, input, cancellationToken);
        return new JsonObject { ["fargateProfile"] = Describe(await profiles.GetAsync(cluster, EksInput.Name(input, "fargateProfileName"), cancellationToken)) };
    }

    public async Task<JsonObject> ListAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await clusters.GetAsync(request, input, cancellationToken);
        return EksInput.Page(input, [.. (await profiles.ListAsync(cluster, cancellationToken)).Select(p => p.Name)], "fargateProfileNames");
    }

    public async Task<JsonObject> DeleteAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await clusters.GetAsync(request, input, cancellationToken);
        var profile = await profiles.GetAsync(cluster, EksInput.Name(input, "fargateProfileName"), cancellationToken);
        profile = await profiles.UpdateAsync(profile, p => p with { Status = "DELETING" }, cancellationToken);
        return new JsonObject { ["fargateProfile"] = Describe(profile) };
    }

    public static JsonObject Describe(FargateProfile profile) => new()
    {
        ["fargateProfileName"] = profile.Name,
        ["fargateProfileArn"] = profile.Arn,
        ["clusterName"] = profile.ClusterName,
        ["createdAt"] = Timestamp(profile.CreatedAt),
        ["podExecutionRoleArn"] = profile.PodExecutionRoleArn,
        ["subnets"] = new JsonArray([.. profile.Subnets.Select(s => (JsonNode)s)]),
        ["selectors"] = new JsonArray([.. profile.Selectors.Select(s => (JsonNode)new JsonObject
        {
            ["namespace"] = s.Namespace,
            ["labels"] = EksTagging.Map(s.Labels),
        })]),
        ["status"] = profile.Status,
        ["tags"] = EksTagging.Map(profile.Tags),
        ["health"] = new JsonObject { ["issues"] = new JsonArray() },
    };
}
