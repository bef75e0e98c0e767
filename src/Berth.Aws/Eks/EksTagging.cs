using System.Text.Json.Nodes;
using Berth.Aws.Endpoint;
using static Berth.Aws.Endpoint.JsonInput;

namespace Berth.Aws.Eks;

/// <summary>TagResource, UntagResource and ListTagsForResource over clusters, node groups and Fargate profiles, found by ARN.</summary>
internal sealed class EksTagging(EksClusters clusters, Nodegroups nodegroups, FargateProfiles profiles)
{
    public async Task<JsonObject> ListAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken) =>
        new() { ["tags"] = Map(await ChangeAsync(request, input, null, cancellationToken)) };

    public async Task<JsonObject> TagAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var added = EksInput.Tags(input);
        if (added.Count == 0)
        {
            throw new AwsException("BadRequestException", "tags can't be empty.");
        }
        await ChangeAsync(request, input, tags =>
        {
            var changed = new Dictionary<string, string>(tags, StringComparer.Ordinal);
            foreach (var (key, value) in added)
            {
                changed[key] = value;
            }
            return changed.Count > 50 ? throw new AwsException("BadRequestException", "A resource may have at most 50 tags.") : changed;
        }, cancellationToken);
        return [];
    }

    public async Task<JsonObject> UntagAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var keys = input["tagKeys"] switch
        {
            JsonArray list => list.Select(k => k?.GetValue<string>() ?? "").ToHashSet(StringComparer.Ordinal),
            JsonValue one => [one.GetValue<string>()],
            _ => throw new AwsException("BadRequestException", "tagKeys can't be empty."),
        };
        await ChangeAsync(request, input, tags => tags.Where(t => !keys.Contains(t.Key)).ToDictionary(StringComparer.Ordinal), cancellationToken);
        return [];
    }

    /// <summary>Applies <paramref name="change"/> to the tags of the resource the ARN names (none: reads them); EKS's NotFoundException when there is none.</summary>
    private async Task<IReadOnlyDictionary<string, string>> ChangeAsync(AwsRequest request, JsonObject input,
        Func<IReadOnlyDictionary<string, string>, IReadOnlyDictionary<string, string>>? change, CancellationToken cancellationToken)
    {
        var arn = Text(input, "resourceArn") ?? throw new AwsException("BadRequestException", "resourceArn can't be empty.");
        var parts = arn.Split(':', 6);
        if (parts is not ["arn", "aws", "eks", var region, var account, var resource])
        {
            throw new AwsException("BadRequestException", $"{arn} is not a valid ARN.");
        }
        var notFound = new AwsException("NotFoundException", $"Resource not found: {arn}", 404);
        if (account != request.Caller.AccountId || region != request.Region)
        {
            throw notFound;
        }
        try
        {
            switch (resource.Split('/'))
            {
                case ["cluster", var name]:
                    var cluster = await clusters.GetAsync(account, region, name, cancellationToken);
                    return change is null ? cluster.Tags : (await clusters.UpdateAsync(cluster, c => c with { Tags = change(c.Tags) }, cancellationToken)).Tags;
                case ["nodegroup", var clusterName, var name, var uid]:
                    var group = await nodegroups.GetAsync(await clusters.GetAsync(account, region, clusterName, cancellationToken), name, cancellationToken);
                    return group.Uid != uid ? throw notFound
                        : change is null ? group.Tags : (await nodegroups.UpdateAsync(group, g => g with { Tags = change(g.Tags) }, cancellationToken)).Tags;
                case ["fargateprofile", var clusterName, var name, var uid]:
                    var profile = await profiles.GetAsync(await clusters.GetAsync(account, region, clusterName, cancellationToken), name, cancellationToken);
                    return profile.Uid != uid ? throw notFound
                        : change is null ? profile.Tags : (await profiles.UpdateAsync(profile, p => p with { Tags = change(p.Tags) }, cancellationToken)).Tags;
                default:
                    throw new AwsException("BadRequestException", $"{arn} is not the ARN of a cluster, node group or Fargate profile.");
            }
        }
        catch (AwsException e) when (e.Code == "ResourceNotFoundException")
        {
            throw notFound;
        }
    }

    public static JsonObject Map(IReadOnlyDictionary<string, string> tags) => new([.. tags.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value))]);
}
