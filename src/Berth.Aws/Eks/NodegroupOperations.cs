using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Aws.AutoScaling;
using Berth.Aws.Ec2;
using Berth.Aws.Endpoint;
using static Berth.Aws.Endpoint.JsonInput;

namespace Berth.Aws.Eks;

/// <summary>
/// EKS's managed node group operations. A node group is stored CREATING; the node group controller makes its Auto
/// Scaling group, whose instances become the group's nodes, and marks it ACTIVE once they are Ready. Scaling changes the
/// group's Auto Scaling group, which holds the sizes from then on (DescribeNodegroup reads them there, as EKS does).
/// </summary>
internal sealed class NodegroupOperations(ClusterOperations clusters, Nodegroups nodegroups, AutoScalingGroups autoScaling, TimeProvider time)
{
    public async Task<JsonObject> CreateAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await clusters.GetAsync(request, input, cancellationToken);
        var name = EksInput.Name(input, "nodegroupName");
        if (cluster.Status != "ACTIVE")
        {
            throw new AwsException("InvalidRequestException", $"Cluster '{cluster.Name}' is not in ACTIVE status");
        }
        if (input["launchTemplate"] is not null || input["remoteAccess"] is not null)
        {
            throw EksInput.Invalid("launchTemplate and remoteAccess are not supported: a Berth node is a local agent process.");
        }
        var scaling = EksInput.Structure(input, "scalingConfig");
        var (min, max, desired) = Scaling(scaling, 1, 2, 2);
        var instanceTypes = Strings(input, "instanceTypes") ?? ["t3.medium"];
        if (instanceTypes.Count == 0)
        {
            throw EksInput.Invalid("instanceTypes can't be empty.");
        }
        if (instanceTypes.FirstOrDefault(t => InstanceType.Find(t) is null) is { } unknown)
        {
            throw EksInput.Invalid($"Instance type {unknown} is not supported; the offered types are {string.Join(", ", InstanceType.Offered.Select(t => t.Name))}.");
        }
        var capacityType = Text(input, "capacityType") ?? "ON_DEMAND";
        if (capacityType is not ("ON_DEMAND" or "SPOT"))
        {
            throw EksInput.Invalid($"capacityType must be ON_DEMAND or SPOT, not {capacityType}.");
        }
        var now = time.GetUtcNow();
        var group = new Nodegroup
        {
            AccountId = cluster.AccountId,
            Region = cluster.Region,
            ClusterName = cluster.Name,
            Name = name,
            Uid = Guid.NewGuid().ToString(),
            CreatedAt = now,
            ModifiedAt = now,
            Status = "CREATING",
            Version = Text(input, "version") ?? cluster.Version,
            NodeRole = Text(input, "nodeRole") ?? throw EksInput.Invalid("nodeRole can't be null or empty."),
            MinSize = min,
            MaxSize = max,
            DesiredSize = desired,
            InstanceTypes = instanceTypes,
            CapacityType = capacityType,
            AmiType = Text(input, "amiType") ?? "AL2023_x86_64_STANDARD",
            DiskSize = EksInput.Number(input, "diskSize") ?? 20,
            Subnets = Strings(input, "subnets") ?? [],
            Labels = Labels(input["labels"]),
            Taints = [.. Objects(input, "taints").Select(Taint)],
            Tags = EksInput.Tags(input),
            UpdateConfig = input["updateConfig"] is null ? new JsonObject { ["maxUnavailable"] = 1 } : EksInput.Structure(input, "updateConfig"),
            ClientRequestToken = Text(input, "clientRequestToken"),
        };
        try
        {
            await nodegroups.CreateAsync(group, cancellationToken);
        }
        catch (AwsException e) when (e.Code == "ResourceInUseException" && group.ClientRequestToken is not null)
        {
            // a retry of the same request gets the same answer
            if ((await nodegroups.ListAsync(cluster, cancellationToken)).FirstOrDefault(g => g.Name == name) is { } existing
                && existing.ClientRequestToken == group.ClientRequestToken)
            {
                return new JsonObject { ["nodegroup"] = await DescribeAsync(existing, cancellationToken) };
            }
            throw;
        }
        return new JsonObject { ["nodegroup"] = Describe(group, null) };
    }

    public async Task<JsonObject> DescribeAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await clusters.GetAsync(request, input, cancellationToken);
        return new JsonObject { ["nodegroup"] = await DescribeAsync(await nodegroups.GetAsync(cluster, EksInput.Name(input, "nodegroupName"), cancellationToken), cancellationToken) };
    }

    public async Task<JsonObject> ListAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await clusters.GetAsync(request, input, cancellationToken);
        return EksInput.Page(input, [.. (await nodegroups.ListAsync(cluster, cancellationToken)).Select(g => g.Name)], "nodegroups");
    }

    public async Task<JsonObject> DeleteAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await clusters.GetAsync(request, input, cancellationToken);
        var group = await nodegroups.GetAsync(cluster, EksInput.Name(input, "nodegroupName"), cancellationToken);
        group = await nodegroups.UpdateAsync(group, g => g with { Status = "DELETING", ModifiedAt = time.GetUtcNow() }, cancellationToken);
        return new JsonObject { ["nodegroup"] = await DescribeAsync(group, cancellationToken) };
    }

    /// <summary>UpdateNodegroupConfig: scaling, labels, taints and the update config, recorded at once; the controllers converge the nodes.</summary>
    public async Task<JsonObject> UpdateConfigAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var cluster = await clusters.GetAsync(request, input, cancellationToken);
        var group = await nodegroups.GetAsync(cluster, EksInput.Name(input, "nodegroupName"), cancellationToken);
        if (group.Status is not ("ACTIVE" or "UPDATING" or "DEGRADED"))
        {
            throw new AwsException("ResourceInUseException", $"Nodegroup {group.Name} is currently {group.Status}; it cannot be updated now.", 409);
        }
        var parameters = new JsonArray();
        var scaling = input["scalingConfig"] is null ? null : EksInput.Structure(input, "scalingConfig");
        var labels = input["labels"] is null ? null : EksInput.Structure(input, "labels");
        var taints = input["taints"] is null ? null : EksInput.Structure(input, "taints");
        var updateConfig = input["updateConfig"] is null ? null : EksInput.Structure(input, "updateConfig");
        if (scaling is null && labels is null && taints is null && updateConfig is null)
        {
            throw EksInput.Invalid("No changes needed for the node group config provided");
        }
        var asg = await autoScaling.FindAsync(group.AccountId, group.Region, group.AutoScalingGroupName, cancellationToken);
        // checked before anything is written, so a refused update changes nothing
        var sizes = scaling is null ? default
            : asg is null ? Scaling(scaling, group.MinSize, group.MaxSize, group.DesiredSize)
            : Scaling(scaling, asg.MinSize, asg.MaxSize, asg.DesiredCapacity);
        if (scaling is not null && asg is not null)
        {
            var before = asg.DesiredCapacity;
            asg = await autoScaling.UpdateAsync(asg, a => a with { MinSize = sizes.Min, MaxSize = sizes.Max, DesiredCapacity = sizes.Desired }, cancellationToken);
            await autoScaling.RecordAsync(asg, "Updated Auto Scaling group", $"At {AutoScalingController.Stamp(time.GetUtcNow())} a user request update of "
                + $"AutoScalingGroup constraints to min: {sizes.Min}, max: {sizes.Max}, desired: {sizes.Desired} changing the desired capacity from {before} to {sizes.Desired}.",
                done: true, cancellationToken);
        }
        group = await nodegroups.UpdateAsync(group, g =>
        {
            if (scaling is not null)
            {
                // the Auto Scaling group holds the sizes once it exists; until then, the node group's are what it is made with
                g = asg is null ? g with { MinSize = sizes.Min, MaxSize = sizes.Max, DesiredSize = sizes.Desired } : g;
                g = g.Status == "ACTIVE" ? g with { Status = "UPDATING" } : g;
            }
            if (labels is not null)
            {
                var changed = new Dictionary<string, string>(g.Labels, StringComparer.Ordinal);
                foreach (var (key, value) in Labels(labels["addOrUpdateLabels"]))
                {
                    changed[key] = value;
                }
                foreach (var key in Strings(labels, "removeLabels") ?? [])
                {
                    changed.Remove(key);
                }
                g = g with { Labels = changed };
            }
            if (taints is not null)
            {
                var changed = g.Taints.ToList();
                foreach (var taint in Objects(taints, "addOrUpdateTaints").Select(Taint))
                {
                    changed.RemoveAll(t => t.Key == taint.Key && t.Effect == taint.Effect);
                    changed.Add(taint);
                }
                foreach (var taint in Objects(taints, "removeTaints").Select(Taint))
                {
                    changed.RemoveAll(t => t.Key == taint.Key && t.Effect == taint.Effect);
                }
                g = g with { Taints = changed };
            }
            if (updateConfig is not null)
            {
                g = g with { UpdateConfig = updateConfig };
            }
            return g with { ModifiedAt = time.GetUtcNow() };
        }, cancellationToken);
        if (scaling is not null)
        {
            parameters.Add(Param("MinSize", sizes.Min));
            parameters.Add(Param("MaxSize", sizes.Max));
            parameters.Add(Param("DesiredSize", sizes.Desired));
        }
        if (labels is not null)
        {
            parameters.Add(new JsonObject { ["type"] = "LabelsToAdd", ["value"] = labels["addOrUpdateLabels"]?.ToJsonString() ?? "{}" });
            parameters.Add(new JsonObject { ["type"] = "LabelsToRemove", ["value"] = labels["removeLabels"]?.ToJsonString() ?? "[]" });
        }
        if (taints is not null)
        {
            parameters.Add(new JsonObject { ["type"] = "TaintsToAdd", ["value"] = taints["addOrUpdateTaints"]?.ToJsonString() ?? "[]" });
            parameters.Add(new JsonObject { ["type"] = "TaintsToRemove", ["value"] = taints["removeTaints"]?.ToJsonString() ?? "[]" });
        }
        if (updateConfig is not null)
        {
            parameters.Add(new JsonObject { ["type"] = "MaxUnavailable", ["value"] = updateConfig["maxUnavailable"]?.ToJsonString() ?? "" });
        }
        return new JsonObject
        {
            ["update"] = new JsonObject
            {
                ["id"] = Guid.NewGuid().ToString(),
                ["status"] = "Successful",
                ["type"] = "ConfigUpdate",
                ["params"] = parameters,
                ["createdAt"] = Timestamp(time.GetUtcNow()),
                ["errors"] = new JsonArray(),
            },
        };
    }

    private async Task<JsonObject> DescribeAsync(Nodegroup group, CancellationToken cancellationToken) =>
        Describe(group, await autoScaling.FindAsync(group.AccountId, group.Region, group.AutoScalingGroupName, cancellationToken));

    /// <summary>The node group as DescribeNodegroup shows it, its sizes its Auto Scaling group's once that exists.</summary>
    public static JsonObject Describe(Nodegroup group, AutoScalingGroup? asg)
    {
        var description = new JsonObject
        {
            ["nodegroupName"] = group.Name,
            ["nodegroupArn"] = group.Arn,
            ["clusterName"] = group.ClusterName,
            ["version"] = group.Version,
            ["releaseVersion"] = $"{group.Version}.0-berth",
            ["createdAt"] = Timestamp(group.CreatedAt),
            ["modifiedAt"] = Timestamp(group.ModifiedAt),
            ["status"] = group.Status,
            ["capacityType"] = group.CapacityType,
            ["scalingConfig"] = new JsonObject
            {
                ["minSize"] = asg?.MinSize ?? group.MinSize,
                ["maxSize"] = asg?.MaxSize ?? group.MaxSize,
                ["desiredSize"] = asg?.DesiredCapacity ?? group.DesiredSize,
            },
            ["instanceTypes"] = new JsonArray([.. group.InstanceTypes.Select(t => (JsonNode)t)]),
            ["subnets"] = new JsonArray([.. group.Subnets.Select(s => (JsonNode)s)]),
            ["amiType"] = group.AmiType,
            ["nodeRole"] = group.NodeRole,
            ["labels"] = EksTagging.Map(group.Labels),
            ["resources"] = new JsonObject
            {
                ["autoScalingGroups"] = new JsonArray(new JsonObject { ["name"] = group.AutoScalingGroupName }),
            },
            ["diskSize"] = group.DiskSize,
            ["health"] = new JsonObject
            {
                ["issues"] = new JsonArray([.. group.Issues.Select(i => (JsonNode)new JsonObject
                {
                    ["code"] = i.Code,
                    ["message"] = i.Message,
                    ["resourceIds"] = new JsonArray([.. i.ResourceIds.Select(r => (JsonNode)r)]),
                })]),
            },
            ["updateConfig"] = group.UpdateConfig.DeepClone(),
            ["tags"] = EksTagging.Map(group.Tags),
        };
        if (group.Taints.Count > 0)
        {
            description["taints"] = new JsonArray([.. group.Taints.Select(t => (JsonNode)new JsonObject { ["key"] = t.Key, ["value"] = t.Value, ["effect"] = t.Effect })]);
        }
        if (group.ClientRequestToken is { } token)
        {
            description["clientRequestToken"] = token;
        }
        return description;
    }

    /// <summary>The sizes a scaling config asks for, the current ones where it is silent, checked as EKS checks them.</summary>
    private static (int Min, int Max, int Desired) Scaling(JsonObject scaling, int min, int max, int desired)
    {
        min = EksInput.Number(scaling, "minSize") ?? min;
        max = EksInput.Number(scaling, "maxSize") ?? max;
        desired = EksInput.Number(scaling, "desiredSize") ?? desired;
        return min < 0 ? throw EksInput.Invalid($"Minimum capacity {min} can't be negative")
            : max < 1 ? throw EksInput.Invalid($"Maximum capacity {max} can't be lower than 1")
            : min > max ? throw EksInput.Invalid($"Minimum capacity {min} can't be greater than maximum capacity {max}")
            : desired > max ? throw EksInput.Invalid($"Desired capacity {desired} can't be greater than maximum capacity {max}")
            : desired < min ? throw EksInput.Invalid($"Desired capacity {desired} can't be lower than minimum capacity {min}")
            : (min, max, desired);
    }

    private static Dictionary<string, string> Labels(JsonNode? labels) => labels switch
    {
        null => new Dictionary<string, string>(StringComparer.Ordinal),
        JsonObject map => map.ToDictionary(l => l.Key, l => l.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s
            : throw new AwsException("SerializationException", "'labels' must be a map of strings"), StringComparer.Ordinal),
        _ => throw new AwsException("SerializationException", "'labels' must be a map of strings"),
    };

    private static NodegroupTaint Taint(JsonObject taint)
    {
        var key = Text(taint, "key") ?? throw EksInput.Invalid("A taint's key can't be null or empty.");
        var effect = Text(taint, "effect") ?? throw EksInput.Invalid("A taint's effect can't be null.");
        return effect is "NO_SCHEDULE" or "NO_EXECUTE" or "PREFER_NO_SCHEDULE"
            ? new NodegroupTaint(key, Text(taint, "value"), effect)
            : throw EksInput.Invalid($"Taint effect {effect} is invalid; it must be NO_SCHEDULE, NO_EXECUTE or PREFER_NO_SCHEDULE.");
    }

    private static JsonObject Param(string type, int value) => new() { ["type"] = type, ["value"] = value.ToString(CultureInfo.InvariantCulture) };
}
