using Berth.Client.Config;

namespace Berth.Client.Tests.Config;

public sealed class ClusterConfigReaderTests
{
    private static ClusterConfig ReadExample(string file) =>
        ClusterConfigReader.Read(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "EksctlExamples", file)), file);

    private static ClusterConfigException RefuseExample(string file) => Assert.Throws<ClusterConfigException>(() => ReadExample(file));

    private static ClusterConfig Read(string yaml) => ClusterConfigReader.Read(yaml, "cluster.yaml");

    private static string Refuse(string yaml) => Assert.Throws<ClusterConfigException>(() => Read(yaml)).Message;

    [Fact]
    public void EksctlExamples_ThatBerthServes_ReadAsTheyAsk()
    {
        var simple = ReadExample("01-simple-cluster.yaml");
        Assert.Equal(("cluster-1", "eu-north-1"), (simple.Name, simple.Region));
        var group = Assert.Single(simple.NodeGroups);
        Assert.Equal(("ng-1", 1, 1, 1), (group.Name, group.DesiredCapacity, group.MinSize, group.MaxSize));
        Assert.Equal(["m5.large"], group.InstanceTypes);
        Assert.Equal(["audit", "authenticator", "controllerManager"], simple.LogTypes);

        var noNodes = ReadExample("02-custom-vpc-cidr-no-nodes.yaml");
        Assert.Empty(noNodes.NodeGroups);
        Assert.Equal((false, true), (noNodes.ResourcesVpcConfig["endpointPublicAccess"]!.GetValue<bool>(), noNodes.ResourcesVpcConfig["endpointPrivateAccess"]!.GetValue<bool>()));

        var existingVpc = ReadExample("04-existing-vpc.yaml");
        Assert.Equal(3, existingVpc.ResourcesVpcConfig["subnetIds"]!.AsArray().Count);
        Assert.Equal(2, Assert.Single(existingVpc.NodeGroups).DesiredCapacity);

        Assert.Equal(2, Assert.Single(ReadExample("09-nat-gateways.yaml").NodeGroups).DesiredCapacity);

        var fargate = ReadExample("16-fargate-profile.yaml");
        Assert.Equal(["fp-default", "fp-dev"], fargate.FargateProfiles.Select(p => p.Name));
        Assert.Equal(["default", "kube-system"], fargate.FargateProfiles[0].Selectors.Select(s => s.Namespace));
        var dev = Assert.Single(fargate.FargateProfiles[1].Selectors);
        Assert.Equal(("dev", "passed"), (dev.Labels["env"], dev.Labels["checks"]));
        Assert.Equal("fp-dev", fargate.FargateProfiles[1].Tags["name"]);

        var labelled = ReadExample("18-node-to-pod-label-matching.yaml");
        Assert.Equal("compute-intensive-node", labelled.NodeGroups[1].Labels["node-class"]);
        Assert.Equal(8, labelled.NodeGroups[1].DesiredCapacity);

        var kms = ReadExample("19-kms-cluster.yaml");
        Assert.Equal("arn:aws:kms:us-west-2:000000000000:key/00000000-0000-0000-0000-000000000000", kms.SecretsKeyArn);
        Assert.True(Assert.Single(kms.NodeGroups).Managed);
    }

    [Theory]
    [InlineData("03-two-nodegroups.yaml", 13, "nodeGroups[0].instanceName is not supported by Berth")]
    [InlineData("05-advanced-nodegroups.yaml", 16, "nodeGroups[0].volumeType is not supported by Berth")]
    [InlineData("06-csi-drivers.yaml", 15, "nodeGroups[0].iam.withAddonPolicies.ebs is not supported by Berth")]
    [InlineData("07-ssh-keys.yaml", 14, "nodeGroups[0].ssh is not supported by Berth")]
    [InlineData("08-spot-instances.yaml", 14, "nodeGroups[0].instancesDistribution is not supported by Berth")]
    [InlineData("10-encrypted-volumes.yaml", 15, "nodeGroups[0].volumeType is not supported by Berth")]
    [InlineData("11-cloudwatch-cluster-logging.yaml", 24, "cloudWatch.clusterLogging.logRetentionInDays is not supported by Berth")]
    [InlineData("12-gitops-toolkit.yaml", 16, "gitops is not supported by Berth")]
    [InlineData("13-iamserviceaccounts.yaml", 24, "iam.serviceAccounts[1].wellKnownPolicies is not supported by Berth")]
    [InlineData("14-windows-nodes.yaml", 13, "nodeGroups[0].amiFamily WindowsServer2019FullContainer is not supported by Berth")]
    [InlineData("15-managed-nodes.yaml", 39, "managedNodeGroups[0].iam.withAddonPolicies.externalDNS is not supported by Berth")]
    [InlineData("17-permissions-boundary.yaml", 29, "nodeGroups[0].iam.instanceRolePermissionsBoundary is not supported by Berth")]
    [InlineData("20-bottlerocket.yaml", 20, "nodeGroups[0].bottlerocket is not supported by Berth")]
    public void EksctlExamples_ThatAskForWhatBerthLacks_AreRefusedAtTheField(string file, int line, string message)
    {
        var refusal = RefuseExample(file);
        Assert.Equal(line, refusal.Line);
        Assert.StartsWith($"{file}:{line}:", refusal.Message, StringComparison.Ordinal);
        Assert.Contains(message, refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NodeGroups_TakeTaintsInBothFormsLabelsSpotAndEksctlsSizeDefaults()
    {
        var config = Read("""
            apiVersion: eksctl.io/v1alpha5
            kind: ClusterConfig
            metadata: {name: c, region: us-east-1, version: "1.31", tags: {team: a}}
            nodeGroups:
              - name: old-style
                minSize: 3
                taints: {dedicated: "gpu:NoSchedule", spare: ":PreferNoSchedule"}
                iam: {withAddonPolicies: {autoScaler: true}}
            managedNodeGroups:
              - name: managed
                instanceTypes: [t3.small, t3.medium]
                maxSize: 4
                spot: true
                labels: {role: worker}
                taints: [{key: k, value: v, effect: NoExecute}]
                availabilityZones: [us-east-1a]
                privateNetworking: true
            """);
        Assert.Equal(("1.31", "a"), (config.Version, config.Tags["team"]));
        var old = config.NodeGroups[0];
        Assert.Equal((3, 3, 3), (old.DesiredCapacity, old.MinSize, old.MaxSize));
        Assert.Equal([("dedicated", (string?)"gpu", "NO_SCHEDULE"), ("spare", null, "PREFER_NO_SCHEDULE")], old.Taints);
        Assert.True(old.AutoScalerPolicy);
        var managed = config.NodeGroups[1];
        Assert.Equal((2, 2, 4), (managed.DesiredCapacity, managed.MinSize, managed.MaxSize));
        Assert.Equal(["t3.small", "t3.medium"], managed.InstanceTypes);
        Assert.True(managed.Spot);
        Assert.Equal([("k", (string?)"v", "NO_EXECUTE")], managed.Taints);
        Assert.Equal("worker", managed.Labels["role"]);
    }

    [Fact]
    public void ServiceAccounts_CarryTheirPoliciesAndAnInlineDocumentAsJson()
    {
        var config = Read("""
            apiVersion: eksctl.io/v1alpha5
            kind: ClusterConfig
            metadata: {name: c}
            iam:
              withOIDC: true
              serviceAccounts:
                - metadata: {name: reader, namespace: apps, labels: {a: b}}
                  attachPolicyARNs: ["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"]
                  attachPolicy:
                    Version: "2012-10-17"
                    Statement: [{Effect: Allow, Action: ["ecr:ListImages"], Resource: "*"}]
                - metadata: {name: existing}
                  attachRoleARN: arn:aws:iam::000000000000:role/mine
            """);
        Assert.True(config.WithOidc);
        var reader = config.ServiceAccounts[0];
        Assert.Equal(("reader", "apps", "b"), (reader.Name, reader.Namespace, reader.Labels["a"]));
        Assert.Equal("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:ListImages"],"Resource":"*"}]}""", reader.AttachPolicy);
        Assert.Equal(("default", "arn:aws:iam::000000000000:role/mine"), (config.ServiceAccounts[1].Namespace, config.ServiceAccounts[1].AttachRoleArn));
    }

    [Theory]
    [InlineData("nodeGroup: []", "cluster.yaml:4:1: unknown field \"nodeGroup\"")]
    [InlineData("managedNodeGroups: [{name: a, instanceTyp: t3.small}]", "managedNodeGroups[0].instanceTyp")]
    [InlineData("managedNodeGroups: [{name: a, minSize: 3, maxSize: 2}]", "minSize (3) must not be greater than maxSize (2)")]
    [InlineData("managedNodeGroups: [{name: a, desiredCapacity: -1}]", "desiredCapacity must not be negative")]
    [InlineData("managedNodeGroups: [{name: a, desiredCapacity: 5, maxSize: 3}]", "desiredCapacity (5) must be within minSize")]
    [InlineData("managedNodeGroups: [{name: a, desiredCapacity: two}]", "desiredCapacity must be a whole number")]
    [InlineData("managedNodeGroups: [{name: a, taints: [{key: k, effect: Sometimes}]}]", "taint effect \"Sometimes\"")]
    [InlineData("managedNodeGroups: [{name: a}, {name: a}]", "node group \"a\" is named twice")]
    [InlineData("fargateProfiles: [{name: f}]", "fargateProfiles[0].selectors needs at least one selector")]
    [InlineData("iam: {serviceAccounts: [{metadata: {name: s}}]}", "give attachPolicyARNs, attachPolicy or attachRoleARN")]
    [InlineData("cloudWatch: {clusterLogging: {enableTypes: [everything]}}", "unknown log type \"everything\"")]
    public void BadFields_AreRefusedWithWhereTheyAre(string extra, string message)
    {
        var refusal = Refuse($"""
            apiVersion: eksctl.io/v1alpha5
            kind: ClusterConfig
            metadata: {"{name: c}"}
            {extra}
            """);
        Assert.Matches(@"^cluster\.yaml:\d+:\d+: ", refusal);
        Assert.Contains(message, refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("apiVersion: eksctl.io/v1alpha4\nkind: ClusterConfig\nmetadata: {name: c}", "apiVersion must be eksctl.io/v1alpha5, not eksctl.io/v1alpha4")]
    [InlineData("apiVersion: eksctl.io/v1alpha5\nkind: Cluster\nmetadata: {name: c}", "kind must be ClusterConfig")]
    [InlineData("apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {region: x}", "metadata.name is required")]
    [InlineData("apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: [name: c", "not valid YAML")]
    [InlineData("- a\n- b", "expected one ClusterConfig document")]
    public void DocumentsThatAreNotClusterConfigs_AreRefused(string yaml, string message) =>
        Assert.Contains(message, Refuse(yaml), StringComparison.Ordinal);
}
