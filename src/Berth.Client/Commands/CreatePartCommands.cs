using System.CommandLine;
using System.Text.Json.Nodes;
using Berth.Client.Clusters;
using Berth.Client.Config;

namespace Berth.Client.Commands;

/// <summary>
/// <c>berth create nodegroup|fargateprofile|iamserviceaccount|addon</c>: a part added to an existing cluster, from
/// flags or from the matching section of a ClusterConfig file (parts that exist already are skipped, as eksctl skips them).
/// </summary>
internal static class CreatePartCommands
{
    public static Command Nodegroup()
    {
        var cluster = ClusterCommandLine.Cluster(required: false);
        var name = new Option<string?>("--name", "-n") { Description = "Node group name (default: ng-<hex>)." };
        var file = ConfigFile.Option();
        var nodes = new NodegroupFlags();
        var command = new Command("nodegroup", "Add a node group to a cluster.") { cluster, name, file };
        nodes.AddTo(command);
        ClusterCommandLine.SetAction(command, async (parseResult, session, cancellationToken) =>
        {
            var (clusterName, groups) = parseResult.GetValue(file) is { } path
                ? FromFile(parseResult, path, [cluster, name, .. nodes.All], c => c.NodeGroups)
                : (Required(parseResult, cluster), [nodes.Read(parseResult, parseResult.GetValue(name) ?? NodegroupFlags.GeneratedName())]);
            var described = await ActiveClusterAsync(session, clusterName, cancellationToken);
            var existing = await session.Eks.ListNodegroupsAsync(clusterName, cancellationToken);
            if (parseResult.GetValue(file) is null && existing.Contains(groups[0].Name))
            {
                throw new ClusterCommandException($"node group \"{groups[0].Name}\" already exists in cluster \"{clusterName}\"");
            }
            var creator = new NodegroupCreator(session);
            await creator.CheckAsync(groups, cancellationToken);
            await creator.CreateAsync(described, Skip(session, groups, existing, g => g.Name, "node group"), cancellationToken);
            return ClusterCommandLine.Ok;
        }, parseResult => ConfigFile.Region(parseResult, file));
        return command;
    }

    public static Command FargateProfile()
    {
        var cluster = ClusterCommandLine.Cluster(required: false);
        var name = new Option<string?>("--name", "-n") { Description = "Fargate profile name (default: fp-<hex>)." };
        var ns = new Option<string?>("--namespace") { Description = "Namespace whose pods run on Fargate." };
        var labels = new Option<string?>("--labels", "-l") { Description = "Labels the pods must also have: k1=v1,k2=v2." };
        var file = ConfigFile.Option();
        var command = new Command("fargateprofile", "Add a Fargate profile to a cluster.") { cluster, name, ns, labels, file };
        ClusterCommandLine.SetAction(command, async (parseResult, session, cancellationToken) =>
        {
            var (clusterName, profiles) = parseResult.GetValue(file) is { } path
                ? FromFile(parseResult, path, [cluster, name, ns, labels], c => c.FargateProfiles)
                : (Required(parseResult, cluster), [new FargateProfileConfig(parseResult.GetValue(name) ?? "fp-" + Guid.NewGuid().ToString("N")[..8],
                    [new FargateSelector(parseResult.GetValue(ns) ?? throw new ClusterCommandException("--namespace is required: the namespace whose pods run on Fargate"),
                        ConfigFile.Pairs(parseResult.GetValue(labels), "--labels"))], new Dictionary<string, string>())]);
            var described = await ActiveClusterAsync(session, clusterName, cancellationToken);
            var existing = await session.Eks.ListFargateProfilesAsync(clusterName, cancellationToken);
            await new FargateProfileCreator(session).CreateAsync(described, Skip(session, profiles, existing, p => p.Name, "Fargate profile"), null, cancellationToken);
            return ClusterCommandLine.Ok;
        }, parseResult => ConfigFile.Region(parseResult, file));
        return command;
    }

    public static Command IamServiceAccount()
    {
        var cluster = ClusterCommandLine.Cluster(required: false);
        var name = new Option<string?>("--name") { Description = "Service account name." };
        var ns = new Option<string>("--namespace") { Description = "Its namespace.", DefaultValueFactory = _ => "default" };
        var policies = new Option<string[]>("--attach-policy-arn") { Description = "Policy to attach to its role (repeatable).", AllowMultipleArgumentsPerToken = false };
        var roleArn = new Option<string?>("--attach-role-arn") { Description = "An existing role to use instead of making one." };
        var roleName = new Option<string?>("--role-name") { Description = "Name of the role to make." };
        var roleOnly = new Option<bool>("--role-only") { Description = "Make the role only, not the service account." };
        var overrideExisting = new Option<bool>("--override-existing-serviceaccounts") { Description = "Annotate service accounts that exist already." };
        var approve = new Option<bool>("--approve") { Description = "Make the changes; without it, only what would be made is printed." };
        var file = ConfigFile.Option();
        var command = new Command("iamserviceaccount", "Make an IAM role for a Kubernetes service account (IRSA).")
        {
            cluster, name, ns, policies, roleArn, roleName, roleOnly, overrideExisting, approve, file,
        };
        ClusterCommandLine.SetAction(command, async (parseResult, session, cancellationToken) =>
        {
            var (clusterName, accounts) = parseResult.GetValue(file) is { } path
                ? FromFile(parseResult, path, [cluster, name, ns, policies, roleArn, roleName, roleOnly], c => c.ServiceAccounts)
                : (Required(parseResult, cluster), [new ServiceAccountConfig
                {
                    Name = parseResult.GetValue(name) ?? throw new ClusterCommandException("--name is required: the service account's name"),
                    Namespace = parseResult.GetValue(ns)!,
                    AttachPolicyArns = parseResult.GetValue(policies) ?? [],
                    AttachRoleArn = parseResult.GetValue(roleArn),
                    RoleName = parseResult.GetValue(roleName),
                    RoleOnly = parseResult.GetValue(roleOnly),
                }]);
            if (accounts.FirstOrDefault(a => a.AttachRoleArn is null && a.AttachPolicyArns.Count == 0 && a.AttachPolicy is null) is { } bare)
            {
                throw new ClusterCommandException($"service account \"{bare.Namespace}/{bare.Name}\" needs --attach-policy-arn or --attach-role-arn");
            }
            var described = await ActiveClusterAsync(session, clusterName, cancellationToken);
            var creator = new ServiceAccountCreator(session);
            await creator.CheckAsync(accounts, cancellationToken);
            if (!parseResult.GetValue(approve))
            {
                foreach (var account in accounts)
                {
                    session.Log.Info($"(plan) would create IAM role and service account \"{account.Namespace}/{account.Name}\"");
                }
                session.Log.Warning("no changes were applied; run again with --approve to apply them");
                return ClusterCommandLine.Ok;
            }
            await creator.CreateAsync(described, accounts, parseResult.GetValue(overrideExisting), cancellationToken);
            return ClusterCommandLine.Ok;
        }, parseResult => ConfigFile.Region(parseResult, file));
        return command;
    }

    public static Command Addon()
    {
        var cluster = ClusterCommandLine.Cluster(required: false);
        var name = new Option<string?>("--name") { Description = "Add-on name." };
        var version = new Option<string?>("--version") { Description = "Add-on version (default: the default version)." };
        var file = ConfigFile.Option();
        var command = new Command("addon", "Add an EKS add-on to a cluster.") { cluster, name, version, file };
        ClusterCommandLine.SetAction(command, async (parseResult, session, cancellationToken) =>
        {
            var (clusterName, addons) = parseResult.GetValue(file) is { } path
                ? FromFile(parseResult, path, [cluster, name, version], c => c.Addons)
                : (Required(parseResult, cluster), [new AddonConfig(parseResult.GetValue(name) ?? throw new ClusterCommandException("--name is required: the add-on's name"),
                    parseResult.GetValue(version), new Dictionary<string, string>(), null, null)]);
            await ActiveClusterAsync(session, clusterName, cancellationToken);
            var existing = await session.Eks.ListAddonsAsync(clusterName, cancellationToken);
            foreach (var addon in Skip(session, addons, existing, a => a.Name, "addon"))
            {
                await new AddonCreator(session).CreateAsync(clusterName, addon, cancellationToken);
            }
            return ClusterCommandLine.Ok;
        }, parseResult => ConfigFile.Region(parseResult, file));
        return command;
    }

    /// <summary>The cluster, which must be ACTIVE for parts to be added.</summary>
    public static async Task<JsonObject> ActiveClusterAsync(ClusterSession session, string name, CancellationToken cancellationToken)
    {
        var cluster = await session.Eks.DescribeClusterAsync(name, cancellationToken)
            ?? throw new ClusterCommandException($"no cluster named \"{name}\" in {session.EksSettings.Region} (berth get cluster lists them)");
        return cluster["status"]?.GetValue<string>() == "ACTIVE" ? cluster
            : throw new ClusterCommandException($"cluster \"{name}\" is {cluster["status"]}, not ACTIVE");
    }

    public static string Required(ParseResult parseResult, Option<string?> cluster) =>
        parseResult.GetValue(cluster) ?? throw new ClusterCommandException("--cluster is required: the cluster's name");

    private static (string Cluster, IReadOnlyList<T> Parts) FromFile<T>(ParseResult parseResult, string path, Option[] flags, Func<ClusterConfig, IReadOnlyList<T>> parts)
    {
        ConfigFile.RefuseBeside(parseResult, path, flags);
        var config = ConfigFile.Read(path);
        return (config.Name, parts(config));
    }

    private static List<T> Skip<T>(ClusterSession session, IReadOnlyList<T> parts, IReadOnlyList<string> existing, Func<T, string> name, string kind)
    {
        foreach (var part in parts.Where(p => existing.Contains(name(p))))
        {
            session.Log.Info($"{kind} \"{name(part)}\" exists already; skipped");
        }
        return [.. parts.Where(p => !existing.Contains(name(p)))];
    }
}
