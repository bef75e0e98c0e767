using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using F = Berth.Client.Config.EksctlFields;

namespace Berth.Client.Config;

/// <summary>
/// Reads eksctl's ClusterConfig files (<c>apiVersion: eksctl.io/v1alpha5</c>, <c>kind: ClusterConfig</c>) strictly:
/// what Berth serves is read, AWS networking (<c>vpc</c>, subnets, security groups, private networking, zones) is
/// accepted and recorded where EKS has a place for it, and any other field is refused with its line.
/// </summary>
public static class ClusterConfigReader
{
    private static readonly Dictionary<string, string> s_taintEffects = new(StringComparer.Ordinal)
    {
        ["NoSchedule"] = "NO_SCHEDULE",
        ["NoExecute"] = "NO_EXECUTE",
        ["PreferNoSchedule"] = "PREFER_NO_SCHEDULE",
    };

    /// <summary>The AMI families eksctl names and the EKS AMI types Berth reports for them.</summary>
    private static readonly Dictionary<string, string> s_amiTypes = new(StringComparer.Ordinal)
    {
        ["AmazonLinux2"] = "AL2_x86_64",
        ["AmazonLinux2023"] = "AL2023_x86_64_STANDARD",
        ["Bottlerocket"] = "BOTTLEROCKET_x86_64",
    };

    public static ClusterConfig Read(string text, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ClusterConfigException(file, (int)e.Start.Line, (int)e.Start.Column, $"not valid YAML: {e.InnerException?.Message ?? e.Message}");
        }
        var documents = stream.Documents.Where(d => d.RootNode is not YamlScalarNode { Value: null or "" }).ToList();
        if (documents.Count != 1 || documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ClusterConfigException(file, 1, 1, "expected one ClusterConfig document (apiVersion: eksctl.io/v1alpha5, kind: ClusterConfig)");
        }
        var config = new YamlObject(root, "", file);
        if (config.String("apiVersion") != "eksctl.io/v1alpha5")
        {
            throw config.Error("apiVersion", $"apiVersion must be eksctl.io/v1alpha5, not {config.String("apiVersion") ?? "missing"}");
        }
        if (config.String("kind") != "ClusterConfig")
        {
            throw config.Error("kind", $"kind must be ClusterConfig, not {config.String("kind") ?? "missing"}");
        }
        var metadata = config.Object("metadata") ?? throw config.Error("metadata", "metadata is required (metadata.name names the cluster)");
        var name = metadata.String("name") ?? throw metadata.Error("name", "metadata.name is required");
        var result = new ClusterConfig
        {
            Name = name,
            Region = metadata.String("region"),
            Version = metadata.String("version"),
            Tags = metadata.Map("tags") ?? [],
            AvailabilityZones = config.Strings("availabilityZones") ?? [],
            NodeGroups = [.. config.Objects("nodeGroups").Select(g => NodeGroup(g, managed: false)),
                .. config.Objects("managedNodeGroups").Select(g => NodeGroup(g, managed: true))],
            FargateProfiles = [.. config.Objects("fargateProfiles").Select(FargateProfile)],
            Addons = [.. config.Objects("addons").Select(Addon)],
            ResourcesVpcConfig = Vpc(config.Object("vpc")),
            KubernetesNetworkConfig = NetworkConfig(config.Object("kubernetesNetworkConfig")),
        };
        metadata.Accept("annotations");
        metadata.Finish(F.Why, F.Metadata);
        if (config.Object("iam") is { } iam)
        {
            result = result with
            {
                WithOidc = iam.Bool("withOIDC") ?? false,
                ServiceAccounts = [.. iam.Objects("serviceAccounts").Select(ServiceAccount)],
                ServiceRoleArn = iam.String("serviceRoleARN"),
                FargatePodExecutionRoleArn = iam.String("fargatePodExecutionRoleARN"),
            };
            iam.Finish(F.Why, F.ClusterIam);
        }
        if (config.Object("cloudWatch") is { } cloudWatch)
        {
            var logging = cloudWatch.Object("clusterLogging");
            result = result with { LogTypes = LogTypes(logging) };
            logging?.Finish(F.Why, F.ClusterLogging);
            cloudWatch.Finish(F.Why, F.CloudWatch);
        }
        if (config.Object("secretsEncryption") is { } encryption)
        {
            result = result with { SecretsKeyArn = encryption.String("keyARN") ?? throw encryption.Error("keyARN", "secretsEncryption.keyARN is required") };
            encryption.Finish(F.Why, F.SecretsEncryption);
        }
        config.Accept("privateCluster"); // networking: every Berth endpoint is on this machine's loopback
        config.Finish(F.Why, F.ClusterConfig);
        var duplicate = result.NodeGroups.GroupBy(g => g.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw config.Error("nodeGroups", $"node group \"{duplicate.Key}\" is named twice");
        }
        return result;
    }

    private static NodeGroupConfig NodeGroup(YamlObject group, bool managed)
    {
        var name = group.String("name") ?? throw group.Error("name", $"{group.Path}.name is required");
        var types = group.Strings("instanceTypes") ?? (group.String("instanceType") is { } type ? [type] : [NodeGroupDefaults.InstanceType]);
        if (!managed && group.Has("instanceTypes"))
        {
            throw group.Error("instanceTypes", $"{group.Path}.instanceTypes is for managedNodeGroups; a nodeGroups entry takes instanceType");
        }
        var desired = group.Int("desiredCapacity");
        var min = group.Int("minSize");
        var max = group.Int("maxSize");
        // eksctl's defaults: the desired count when given, else the minimum, else two nodes; min and max follow it
        var nodes = desired ?? min ?? NodeGroupDefaults.Nodes;
        var sizes = (Desired: nodes, Min: min ?? Math.Min(nodes, max ?? nodes), Max: max ?? Math.Max(nodes, min ?? nodes));
        foreach (var (field, value) in new[] { ("desiredCapacity", desired), ("minSize", min), ("maxSize", max) })
        {
            if (value < 0)
            {
                throw group.Error(field, $"{group.Path}.{field} must not be negative");
            }
        }
        if (sizes.Min > sizes.Max)
        {
            throw group.Error("minSize", $"{group.Path}: minSize ({sizes.Min}) must not be greater than maxSize ({sizes.Max})");
        }
        if (sizes.Desired < sizes.Min || sizes.Desired > sizes.Max)
        {
            throw group.Error("desiredCapacity", $"{group.Path}: desiredCapacity ({sizes.Desired}) must be within minSize ({sizes.Min}) and maxSize ({sizes.Max})");
        }
        var iam = group.Object("iam");
        var addonPolicies = iam?.Object("withAddonPolicies");
        var autoScaler = addonPolicies?.Bool("autoScaler") ?? false;
        var roleArn = iam?.String("instanceRoleARN");
        addonPolicies?.Finish(F.Why, F.AddonPolicies);
        iam?.Finish(F.Why, F.NodeGroupIam);
        var amiFamily = group.String("amiFamily");
        string? amiType = null;
        if (amiFamily is not null && !s_amiTypes.TryGetValue(amiFamily, out amiType))
        {
            throw group.Error("amiFamily", $"{group.Path}.amiFamily {amiFamily} is not supported by Berth: its nodes are Linux agents ({string.Join(", ", s_amiTypes.Keys)})");
        }
        var result = new NodeGroupConfig
        {
            Name = name,
            Managed = managed,
            InstanceTypes = types,
            DesiredCapacity = sizes.Desired,
            MinSize = sizes.Min,
            MaxSize = sizes.Max,
            Labels = group.Map("labels") ?? [],
            Taints = Taints(group),
            Tags = group.Map("tags") ?? [],
            Spot = group.Bool("spot") ?? false,
            AutoScalerPolicy = autoScaler,
            InstanceRoleArn = roleArn,
            VolumeSize = group.Int("volumeSize"),
            AmiType = amiType,
            Subnets = group.Strings("subnets") ?? [],
            UpdateConfig = group.Object("updateConfig") is { } update ? UpdateConfig(update) : null,
        };
        if (!managed && group.Has("spot"))
        {
            throw group.Error("spot", $"{group.Path}.spot is for managedNodeGroups");
        }
        // AWS networking: zones and subnets place nodes, the rest is VPC plumbing
        group.Accept("availabilityZones", "privateNetworking", "securityGroups", "propagateASGTags");
        group.Finish(F.Why, F.NodeGroup);
        return result;
    }

    /// <summary>Taints as a list of key, value and effect, or (nodeGroups' older form) a map of <c>key: value:Effect</c>.</summary>
    private static List<(string Key, string? Value, string Effect)> Taints(YamlObject group)
    {
        var taints = new List<(string, string?, string)>();
        if (group.Raw("taints") is YamlMappingNode)
        {
            foreach (var (key, text) in group.Map("taints")!)
            {
                var colon = text.LastIndexOf(':');
                var effect = colon < 0 ? "" : text[(colon + 1)..];
                taints.Add((key, colon <= 0 ? null : text[..colon], Effect(group, effect)));
            }
            return taints;
        }
        foreach (var taint in group.Objects("taints"))
        {
            var key = taint.String("key") ?? throw taint.Error("key", $"{taint.Path}.key is required");
            taints.Add((key, taint.String("value"), Effect(taint, taint.String("effect") ?? "")));
            taint.Finish(F.Why, F.Taint);
        }
        return taints;
    }

    private static string Effect(YamlObject at, string effect) => s_taintEffects.TryGetValue(effect, out var eks) ? eks
        : throw at.Error("taints", $"{at.Path}: taint effect \"{effect}\" must be one of NoSchedule, PreferNoSchedule, NoExecute");

    private static JsonObject UpdateConfig(YamlObject update)
    {
        var result = new JsonObject();
        if (update.Int("maxUnavailable") is { } count)
        {
            result["maxUnavailable"] = count;
        }
        if (update.Int("maxUnavailablePercentage") is { } percentage)
        {
            result["maxUnavailablePercentage"] = percentage;
        }
        update.Finish(F.Why, new HashSet<string>(["maxUnavailable", "maxUnavailablePercentage", "updateStrategy"]));
        return result;
    }

    private static FargateProfileConfig FargateProfile(YamlObject profile)
    {
        var name = profile.String("name") ?? throw profile.Error("name", $"{profile.Path}.name is required");
        var selectors = profile.Objects("selectors").Select(s =>
        {
            var selector = new FargateSelector(s.String("namespace") ?? throw s.Error("namespace", $"{s.Path}.namespace is required"), s.Map("labels") ?? []);
            s.Finish(F.Why, F.FargateSelector);
            return selector;
        }).ToList();
        if (selectors.Count == 0)
        {
            throw profile.Error("selectors", $"{profile.Path}.selectors needs at least one selector");
        }
        var result = new FargateProfileConfig(name, selectors, profile.Map("tags") ?? [], profile.String("podExecutionRoleARN"));
        profile.Accept("subnets");
        profile.Finish(F.Why, F.FargateProfile);
        return result;
    }

    private static ServiceAccountConfig ServiceAccount(YamlObject account)
    {
        var metadata = account.Object("metadata") ?? throw account.Error("metadata", $"{account.Path}.metadata is required");
        var result = new ServiceAccountConfig
        {
            Name = metadata.String("name") ?? throw metadata.Error("name", $"{metadata.Path}.name is required"),
            Namespace = metadata.String("namespace") ?? "default",
            Labels = metadata.Map("labels") ?? [],
            Annotations = metadata.Map("annotations") ?? [],
            AttachPolicyArns = account.Strings("attachPolicyARNs") ?? [],
            AttachPolicy = account.Raw("attachPolicy") is { } policy ? PolicyJson(account, policy) : null,
            AttachRoleArn = account.String("attachRoleARN"),
            RoleName = account.String("roleName"),
            RoleOnly = account.Bool("roleOnly") ?? false,
            Tags = account.Map("tags") ?? [],
        };
        metadata.Finish(F.Why, F.ObjectMeta);
        if (result.AttachRoleArn is null && result.AttachPolicyArns.Count == 0 && result.AttachPolicy is null && !account.Has("wellKnownPolicies"))
        {
            throw account.Error("attachPolicyARNs", $"{account.Path}: give attachPolicyARNs, attachPolicy or attachRoleARN");
        }
        account.Finish(F.Why, F.ServiceAccount);
        return result;
    }

    private static AddonConfig Addon(YamlObject addon)
    {
        var result = new AddonConfig(addon.String("name") ?? throw addon.Error("name", $"{addon.Path}.name is required"), addon.String("version"),
            addon.Map("tags") ?? [], addon.String("configurationValues"), addon.String("resolveConflicts"));
        addon.Finish(F.Why, F.Addon);
        return result;
    }

    /// <summary>The <c>vpc</c> section, all of it AWS networking: the subnets and endpoint access go to EKS's resourcesVpcConfig.</summary>
    private static JsonObject Vpc(YamlObject? vpc)
    {
        var config = new JsonObject();
        if (vpc is null)
        {
            return config;
        }
        var subnets = new JsonArray();
        if (vpc.Object("subnets") is { } byKind)
        {
            foreach (var kind in new[] { "private", "public" })
            {
                foreach (var zone in (byKind.Raw(kind) as YamlMappingNode)?.Children.Values ?? Enumerable.Empty<YamlNode>())
                {
                    if (zone is YamlMappingNode z && z.Children.TryGetValue(new YamlScalarNode("id"), out var id) && id is YamlScalarNode { Value: { } subnet })
                    {
                        subnets.Add(subnet);
                    }
                }
            }
            byKind.Accept("private", "public");
        }
        if (subnets.Count > 0)
        {
            config["subnetIds"] = subnets;
        }
        if (vpc.Object("clusterEndpoints") is { } endpoints)
        {
            if (endpoints.Bool("publicAccess") is { } publicAccess)
            {
                config["endpointPublicAccess"] = publicAccess;
            }
            if (endpoints.Bool("privateAccess") is { } privateAccess)
            {
                config["endpointPrivateAccess"] = privateAccess;
            }
        }
        if (vpc.Strings("publicAccessCIDRs") is { } cidrs)
        {
            config["publicAccessCidrs"] = new JsonArray([.. cidrs.Select(c => (JsonNode)c)]);
        }
        return config; // the rest of vpc (ids, CIDRs, NAT, IPv6) describes a VPC Berth has no need of
    }

    private static JsonObject? NetworkConfig(YamlObject? network)
    {
        if (network is null)
        {
            return null;
        }
        var config = new JsonObject();
        if (network.String("serviceIPv4CIDR") is { } cidr)
        {
            config["serviceIpv4Cidr"] = cidr;
        }
        if (network.String("ipFamily") is { } family)
        {
            config["ipFamily"] = family.ToLowerInvariant();
        }
        network.Finish(F.Why, new HashSet<string>(["serviceIPv4CIDR", "ipFamily"]));
        return config;
    }

    private static List<string> LogTypes(YamlObject? logging)
    {
        var types = logging?.Strings("enableTypes") ?? [];
        string[] all = ["api", "audit", "authenticator", "controllerManager", "scheduler"];
        if (types.Any(t => t is "*" or "all"))
        {
            return [.. all];
        }
        if (types.FirstOrDefault(t => !all.Contains(t)) is { } unknown)
        {
            throw logging!.Error("enableTypes", $"cloudWatch.clusterLogging.enableTypes: unknown log type \"{unknown}\" (one of {string.Join(", ", all)}, \"*\" or \"all\")");
        }
        return types;
    }

    /// <summary>An inline policy written as YAML, as IAM takes it: JSON.</summary>
    private static string PolicyJson(YamlObject at, YamlNode node) => node is YamlMappingNode mapping
        ? ToJson(mapping)!.ToJsonString()
        : throw at.Error("attachPolicy", $"{at.Path}.attachPolicy must be a policy document");

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p => KeyValuePair.Create(((YamlScalarNode)p.Key).Value ?? "", ToJson(p.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(ToJson)]),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => null,
    };
}
