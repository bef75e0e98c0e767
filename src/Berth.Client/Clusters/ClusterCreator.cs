using System.Text.Json.Nodes;
using Berth.Client.Config;

namespace Berth.Client.Clusters;

/// <summary>
/// <c>berth create cluster</c>: checks everything it can before making anything (credentials, the name, instance
/// types, zones, policies), then makes the cluster and what the config adds to it in eksctl's order — the service
/// role and cluster, the OIDC provider, node groups, Fargate profiles, IAM service accounts, add-ons — logging each
/// step. Whatever an interruption leaves behind carries eksctl's names and tags, so <c>berth delete cluster</c>
/// removes it.
/// </summary>
public sealed class ClusterCreator(ClusterSession session)
{
    public static readonly TimeSpan ClusterTimeout = TimeSpan.FromMinutes(10);

    public async Task<JsonObject> CreateAsync(ClusterConfig config, CancellationToken cancellationToken)
    {
        var log = session.Log;
        var region = session.EksSettings.Region;
        var (_, callerArn) = await session.Sts.GetCallerIdentityAsync(cancellationToken);
        if (await session.Eks.DescribeClusterAsync(config.Name, cancellationToken) is not null)
        {
            throw new ClusterCommandException($"a cluster named \"{config.Name}\" already exists in {region}: pick another --name, or remove it with berth delete cluster --name {config.Name}");
        }
        var parts = new NodegroupCreator(session);
        await parts.CheckAsync(config.NodeGroups, cancellationToken);
        var zones = await ZonesAsync(config, cancellationToken);
        await new ServiceAccountCreator(session).CheckAsync(config.ServiceAccounts, cancellationToken);

        log.Info($"using region {region}");
        log.Info($"setting availability zones to [{string.Join(" ", zones)}]");
        if (config.Version is { } asked)
        {
            log.Info($"using Kubernetes version {asked}");
        }
        log.Info($"creating EKS cluster \"{config.Name}\" in \"{region}\" region with {Describe(config)}");

        var roleArn = config.ServiceRoleArn;
        if (roleArn is null)
        {
            log.Info($"creating IAM role \"{ClusterRoles.ServiceRole(config.Name)}\"");
            roleArn = await session.Iam.CreateRoleAsync(ClusterRoles.ServiceRole(config.Name), ClusterRoles.TrustingService("eks.amazonaws.com"),
                ClusterRoles.Tags(config.Name), cancellationToken);
        }
        var input = new JsonObject
        {
            ["name"] = config.Name,
            ["roleArn"] = roleArn,
            ["resourcesVpcConfig"] = config.ResourcesVpcConfig.DeepClone(),
            ["clientRequestToken"] = Guid.NewGuid().ToString(),
            ["tags"] = Tags(config.Tags, config.Name),
        };
        if (config.Version is { } version)
        {
            input["version"] = version;
        }
        if (config.KubernetesNetworkConfig is { } network)
        {
            input["kubernetesNetworkConfig"] = network.DeepClone();
        }
        if (config.LogTypes.Count > 0)
        {
            input["logging"] = new JsonObject
            {
                ["clusterLogging"] = new JsonArray(new JsonObject { ["types"] = new JsonArray([.. config.LogTypes.Select(t => (JsonNode)t)]), ["enabled"] = true }),
            };
        }
        if (config.SecretsKeyArn is { } key)
        {
            input["encryptionConfig"] = new JsonArray(new JsonObject { ["resources"] = new JsonArray("secrets"), ["provider"] = new JsonObject { ["keyArn"] = key } });
        }
        await session.Eks.CreateClusterAsync(input, cancellationToken);
        var cluster = await session.WaitForAsync($"the control plane of cluster \"{config.Name}\"", ct => session.Eks.DescribeClusterAsync(config.Name, ct),
            "ACTIVE", ["FAILED"], ClusterTimeout, cancellationToken) ?? throw new ClusterCommandException($"cluster \"{config.Name}\" vanished while it was made");
        log.Success($"created the control plane of cluster \"{config.Name}\": Kubernetes {cluster["version"]} at {cluster["endpoint"]}");

        if (config.WithOidc || config.ServiceAccounts.Count > 0)
        {
            await new OidcProviders(session).AssociateAsync(cluster, cancellationToken);
        }
        await parts.CreateAsync(cluster, config.NodeGroups, cancellationToken);
        await new FargateProfileCreator(session).CreateAsync(cluster, config.FargateProfiles, config.FargatePodExecutionRoleArn, cancellationToken);
        await new ServiceAccountCreator(session).CreateAsync(cluster, config.ServiceAccounts, overrideExisting: false, cancellationToken);
        foreach (var addon in config.Addons)
        {
            await new AddonCreator(session).CreateAsync(config.Name, addon, cancellationToken);
        }
        log.Info($"created by {callerArn}");
        return cluster;
    }

    /// <summary>The zones of the region, or those the file names, each checked against EC2's.</summary>
    private async Task<IReadOnlyList<string>> ZonesAsync(ClusterConfig config, CancellationToken cancellationToken)
    {
        var offered = await session.Ec2.AvailabilityZonesAsync(cancellationToken);
        if (config.AvailabilityZones.FirstOrDefault(z => !offered.Contains(z)) is { } unknown)
        {
            throw new ClusterCommandException($"availability zone \"{unknown}\" is not in {session.EksSettings.Region}; its zones are {string.Join(", ", offered)}");
        }
        return config.AvailabilityZones.Count > 0 ? config.AvailabilityZones : [.. offered.Take(3)];
    }

    private static string Describe(ClusterConfig config)
    {
        var parts = new List<string>();
        if (config.NodeGroups.Count > 0)
        {
            parts.Add($"{config.NodeGroups.Count} node group{(config.NodeGroups.Count == 1 ? "" : "s")}");
        }
        if (config.FargateProfiles.Count > 0)
        {
            parts.Add($"{config.FargateProfiles.Count} Fargate profile{(config.FargateProfiles.Count == 1 ? "" : "s")}");
        }
        return parts.Count == 0 ? "no nodes" : string.Join(" and ", parts);
    }

    /// <summary>The resource's own tags and eksctl's, by which a cluster's parts are known as berth's.</summary>
    public static JsonObject Tags(IReadOnlyDictionary<string, string> own, string cluster)
    {
        var tags = new JsonObject();
        foreach (var (key, value) in own)
        {
            tags[key] = value;
        }
        tags[ClusterRoles.ClusterTag] = cluster;
        return tags;
    }
}
