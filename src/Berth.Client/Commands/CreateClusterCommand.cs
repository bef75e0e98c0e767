using System.CommandLine;
using Berth.Client.Clusters;
using Berth.Client.Config;

namespace Berth.Client.Commands;

/// <summary><c>berth create cluster</c>: eksctl's flags for the quick case, <c>-f</c> for everything else.</summary>
internal static class CreateClusterCommand
{
    public static Command Create()
    {
        var name = new Option<string?>("--name", "-n") { Description = "Cluster name (default: a generated one)." };
        var version = new Option<string?>("--version") { Description = "Kubernetes version (default: the latest Berth serves)." };
        var nodegroupName = new Option<string?>("--nodegroup-name") { Description = "Name of the first node group (default: ng-<hex>)." };
        var withoutNodegroup = new Option<bool>("--without-nodegroup") { Description = "Make the cluster without a node group." };
        var fargate = new Option<bool>("--fargate") { Description = "Run default and kube-system pods on Fargate (a profile fp-default) instead of a node group." };
        var withOidc = new Option<bool>("--with-oidc") { Description = "Add an IAM OIDC provider, for IAM roles for service accounts." };
        var zones = new Option<string?>("--zones") { Description = "Comma-separated availability zones." };
        var tags = new Option<string?>("--tags") { Description = "Tags for the cluster: k1=v1,k2=v2." };
        var writeKubeconfig = new Option<bool>("--write-kubeconfig") { Description = "Write the cluster into the kubeconfig file.", DefaultValueFactory = _ => true };
        var setContext = new Option<bool>("--set-kubeconfig-context") { Description = "Make it kubectl's current context.", DefaultValueFactory = _ => true };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)." };
        var file = ConfigFile.Option();
        var nodes = new NodegroupFlags();
        var command = new Command("cluster", "Create an EKS cluster, with node groups, Fargate profiles and IAM service accounts as asked.")
        {
            name, version, nodegroupName, withoutNodegroup, fargate, withOidc, zones, tags, writeKubeconfig, setContext, kubeconfig, file,
        };
        nodes.AddTo(command);
        ClusterCommandLine.SetAction(command, async (parseResult, session, cancellationToken) =>
        {
            ClusterConfig config;
            if (parseResult.GetValue(file) is { } path)
            {
                ConfigFile.RefuseBeside(parseResult, path, [name, version, nodegroupName, withoutNodegroup, fargate, withOidc, zones, tags, .. nodes.All]);
                config = ConfigFile.Read(path);
            }
            else
            {
                var clusterName = parseResult.GetValue(name) ?? "cluster-" + Guid.NewGuid().ToString("N")[..8];
                var group = nodes.Read(parseResult, parseResult.GetValue(nodegroupName) ?? NodegroupFlags.GeneratedName());
                if (parseResult.GetValue(withoutNodegroup) && parseResult.GetValue(nodegroupName) is not null)
                {
                    throw new ClusterCommandException("--without-nodegroup and --nodegroup-name contradict each other: give one");
                }
                config = new ClusterConfig
                {
                    Name = clusterName,
                    Version = parseResult.GetValue(version),
                    Tags = ConfigFile.Pairs(parseResult.GetValue(tags), "--tags"),
                    AvailabilityZones = parseResult.GetValue(zones)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
                    WithOidc = parseResult.GetValue(withOidc),
                    NodeGroups = parseResult.GetValue(withoutNodegroup) || parseResult.GetValue(fargate) ? [] : [group],
                    FargateProfiles = parseResult.GetValue(fargate)
                        ? [new FargateProfileConfig("fp-default", [new("default", new Dictionary<string, string>()), new("kube-system", new Dictionary<string, string>())],
                            new Dictionary<string, string>())]
                        : [],
                };
            }
            var cluster = await new ClusterCreator(session).CreateAsync(config, cancellationToken);
            if (parseResult.GetValue(writeKubeconfig))
            {
                await ClusterKubeconfig.WriteAsync(session, cluster, parseResult.GetValue(kubeconfig), parseResult.GetValue(setContext), cancellationToken);
            }
            session.Log.Success($"EKS cluster \"{config.Name}\" in \"{session.EksSettings.Region}\" region is ready");
            return ClusterCommandLine.Ok;
        }, parseResult => ConfigFile.Region(parseResult, file));
        return command;
    }
}
