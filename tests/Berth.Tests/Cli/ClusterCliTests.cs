using System.Text.Json;
using Berth.Tests.Agent;
using Berth.Tests.Aws;

namespace Berth.Tests.Cli;

/// <summary>
/// The eksctl-style commands against a real server: clusters from flags and from ClusterConfig files, what the stock
/// kubectl and AWS CLI then show, scaling, and deletion that leaves no process, container or store entry behind.
/// </summary>
public sealed class ClusterCliTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly TempDirectory _home = new();

    public void Dispose()
    {
        // the Podman service the nodes' agents started outlives them, as it does for a user: stopped with the test's data
        Berth.Tests.Agent.Podman.StopService(Path.Combine(_data.Path, "podman"));
        _home.Dispose();
        _data.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateCluster_FromFlagsAndFiles_KubectlAndAwsShowWhatWasAsked_AndDeleteLeavesNothing()
    {
        var (server, address) = await BerthProcess.StartServerAsync(_data.Path);
        await using var _ = server;
        var cli = new ClusterCli(_data.Path, _home.Path);
        var kubectl = cli.Kubectl();
        var aws = new AwsCli(address, _data.Path);
        var podman = await Podman.CreateAsync(_data.Path);
        var nodes = new List<string>();

        // flags: two t3.small nodes, an OIDC provider, the kubeconfig written and selected
        var log = await cli.SucceedAsync("create", "cluster", "--name", "flags", "--nodegroup-name", "workers", "--node-type", "t3.small",
            "--nodes", "2", "--nodes-max", "3", "--with-oidc");
        Assert.Matches(@"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[✔\]  EKS cluster ""flags"" in ""us-east-1"" region is ready", log);
        var wide = (await kubectl.SucceedAsync("get", "nodes", "-o", "wide", "-L", "node.kubernetes.io/instance-type,eks.amazonaws.com/nodegroup"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(2, wide.Count);
        Assert.All(wide, row => Assert.Matches(@"^ip-10-0-\S+\s+Ready\s+.*127\.10\.\d+\.\d+.*t3\.small\s+workers$", row));
        nodes.AddRange(wide.Select(row => row.Split(' ')[0]));
        var group = (await aws.SucceedAsync("eks", "describe-nodegroup", "--cluster-name", "flags", "--nodegroup-name", "workers")).GetProperty("nodegroup");
        Assert.Equal((2, 2, 3), Sizes(group));
        Assert.Equal("t3.small", group.GetProperty("instanceTypes")[0].GetString());
        Assert.Contains((await aws.SucceedAsync("iam", "list-open-id-connect-providers")).GetProperty("OpenIDConnectProviderList").EnumerateArray(),
            p => p.GetProperty("Arn").GetString()!.EndsWith("/clusters/flags", StringComparison.Ordinal));

        await cli.SucceedAsync("scale", "nodegroup", "--cluster", "flags", "--name", "workers", "--nodes", "3", "--wait");
        Assert.Equal(3, ReadyNodes(await kubectl.SucceedAsync("get", "nodes", "-o", "json")).Count);
        nodes.AddRange(ReadyNodes(await kubectl.SucceedAsync("get", "nodes", "-o", "json")).Select(n => n.Name));

        // a file with two node groups, labels and taints (both of eksctl's taint forms)
        await cli.SucceedAsync("create", "cluster", "-f", await WriteAsync("groups.yaml", """
            apiVersion: eksctl.io/v1alpha5
            kind: ClusterConfig
            metadata: {name: groups, tags: {team: platform}}
            nodeGroups:
              - name: front
                instanceType: t3.small
                desiredCapacity: 1
                labels: {role: front}
                taints: {dedicated: "front:NoSchedule"}
            managedNodeGroups:
              - name: back
                instanceTypes: [t3.medium]
                minSize: 1
                maxSize: 2
                labels: {role: back}
                taints: [{key: tier, value: back, effect: PreferNoSchedule}]
            """));
        var grouped = ReadyNodes(await kubectl.SucceedAsync("get", "nodes", "-o", "json"));
        Assert.Equal(2, grouped.Count);
        var front = Assert.Single(grouped, n => n.Labels["role"] == "front");
        Assert.Equal(("front", "t3.small", "dedicated=front:NoSchedule"), (front.Labels["eks.amazonaws.com/nodegroup"], front.Labels["node.kubernetes.io/instance-type"], front.Taints));
        var back = Assert.Single(grouped, n => n.Labels["role"] == "back");
        Assert.Equal(("back", "t3.medium", "tier=back:PreferNoSchedule"), (back.Labels["eks.amazonaws.com/nodegroup"], back.Labels["node.kubernetes.io/instance-type"], back.Taints));
        nodes.AddRange(grouped.Select(n => n.Name));
        var described = (await aws.SucceedAsync("eks", "describe-nodegroup", "--cluster-name", "groups", "--nodegroup-name", "front")).GetProperty("nodegroup");
        Assert.Equal("front", described.GetProperty("labels").GetProperty("role").GetString());
        var taint = Assert.Single(described.GetProperty("taints").EnumerateArray());
        Assert.Equal(("dedicated", "front", "NO_SCHEDULE"), (taint.GetProperty("key").GetString(), taint.GetProperty("value").GetString(), taint.GetProperty("effect").GetString()));
        Assert.Equal((1, 1, 2), Sizes((await aws.SucceedAsync("eks", "describe-nodegroup", "--cluster-name", "groups", "--nodegroup-name", "back")).GetProperty("nodegroup")));
        var listed = JsonDocument.Parse((await cli.RunAsync("get", "nodegroup", "--cluster", "groups", "-o", "json")).Output).RootElement;
        Assert.Equal(["back", "front"], listed.EnumerateArray().Select(g => g.GetProperty("nodegroupName").GetString()).Order());

        // a file with a Fargate profile and its selectors
        await cli.SucceedAsync("create", "cluster", "-f", await WriteAsync("fargate.yaml", """
            apiVersion: eksctl.io/v1alpha5
            kind: ClusterConfig
            metadata: {name: fargate}
            fargateProfiles:
              - name: fp-dev
                selectors:
                  - namespace: dev
                    labels: {env: dev}
                  - namespace: batch
            """));
        var profile = (await aws.SucceedAsync("eks", "describe-fargate-profile", "--cluster-name", "fargate", "--fargate-profile-name", "fp-dev")).GetProperty("fargateProfile");
        Assert.Equal("ACTIVE", profile.GetProperty("status").GetString());
        Assert.Equal(["dev", "batch"], profile.GetProperty("selectors").EnumerateArray().Select(s => s.GetProperty("namespace").GetString()));
        Assert.Equal("dev", profile.GetProperty("selectors")[0].GetProperty("labels").GetProperty("env").GetString());
        Assert.Contains("eksctl-fargate-fargate-FargatePodExecutionRole", profile.GetProperty("podExecutionRoleArn").GetString(), StringComparison.Ordinal);

        // a file with OIDC and an IAM service account: the role trusts the cluster's provider, the account is annotated with it
        await cli.SucceedAsync("create", "cluster", "-f", await WriteAsync("oidc.yaml", """
            apiVersion: eksctl.io/v1alpha5
            kind: ClusterConfig
            metadata: {name: oidc}
            iam:
              withOIDC: true
              serviceAccounts:
                - metadata: {name: registry-reader, namespace: backend}
                  attachPolicyARNs: ["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"]
            """));
        const string role = "eksctl-oidc-addon-iamserviceaccount-backend-registry-reader";
        Assert.Equal($"arn:aws:iam::000000000000:role/{role}",
            await kubectl.SucceedAsync("get", "serviceaccount", "registry-reader", "-n", "backend", "-o", "jsonpath={.metadata.annotations.eks\\.amazonaws\\.com/role-arn}"));
        var trust = (await aws.SucceedAsync("iam", "get-role", "--role-name", role)).GetProperty("Role").GetProperty("AssumeRolePolicyDocument").GetProperty("Statement")[0];
        Assert.EndsWith("/clusters/oidc", trust.GetProperty("Principal").GetProperty("Federated").GetString(), StringComparison.Ordinal);
        Assert.Equal("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly", (await aws.SucceedAsync("iam", "list-attached-role-policies", "--role-name", role))
            .GetProperty("AttachedPolicies")[0].GetProperty("PolicyArn").GetString());
        Assert.Contains($"backend     registry-reader   arn:aws:iam::000000000000:role/{role}", await cli.SucceedAsync("get", "iamserviceaccount", "--cluster", "oidc"),
            StringComparison.Ordinal);

        foreach (var cluster in new[] { "flags", "groups", "fargate", "oidc" })
        {
            await cli.SucceedAsync("delete", "cluster", "--name", cluster, "--wait");
        }

        // nothing is left: no cluster, group, instance, role or provider in the store, no agent process, no container
        Assert.Equal(0, (await aws.SucceedAsync("eks", "list-clusters")).GetProperty("clusters").GetArrayLength());
        Assert.Equal(0, (await aws.SucceedAsync("autoscaling", "describe-auto-scaling-groups")).GetProperty("AutoScalingGroups").GetArrayLength());
        Assert.All((await aws.SucceedAsync("ec2", "describe-instances")).GetProperty("Reservations").EnumerateArray().SelectMany(r => r.GetProperty("Instances").EnumerateArray()),
            i => Assert.Equal("terminated", i.GetProperty("State").GetProperty("Name").GetString()));
        Assert.DoesNotContain((await aws.SucceedAsync("iam", "list-roles")).GetProperty("Roles").EnumerateArray(),
            r => r.GetProperty("RoleName").GetString()!.StartsWith("eksctl-", StringComparison.Ordinal));
        Assert.Equal(0, (await aws.SucceedAsync("iam", "list-open-id-connect-providers")).GetProperty("OpenIDConnectProviderList").GetArrayLength());
        Assert.Empty(BerthProcess.AgentsOf(_data.Path));
        foreach (var node in nodes.Distinct())
        {
            Assert.Empty(await podman.ContainersOfNodeAsync(node));
        }
        Assert.DoesNotContain("eksctl.io", await File.ReadAllTextAsync(cli.Kubeconfig, Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadInput_GetsOneLineAndExitOne_AndCreatesNothing()
    {
        var (server, address) = await BerthProcess.StartServerAsync(_data.Path, "--instance-runtime", "simulated");
        await using var _ = server;
        var cli = new ClusterCli(_data.Path, _home.Path);

        await cli.SucceedAsync("create", "cluster", "--name", "taken", "--without-nodegroup");
        Assert.Contains("a cluster named \"taken\" already exists in us-east-1", await cli.FailAsync("create", "cluster", "--name", "taken"), StringComparison.Ordinal);
        Assert.Contains("--nodes-min=3 is greater than --nodes-max=2", await cli.FailAsync("create", "cluster", "--name", "x", "--nodes-min", "3", "--nodes-max", "2"),
            StringComparison.Ordinal);
        Assert.Contains("must not be negative", await cli.FailAsync("create", "cluster", "--name", "x", "--nodes", "-1"), StringComparison.Ordinal);
        Assert.Contains("instance type \"z9.huge\" is not offered by Berth", await cli.FailAsync("create", "cluster", "--name", "x", "--node-type", "z9.huge"),
            StringComparison.Ordinal);
        Assert.Contains("cannot reach the AWS endpoint http://127.0.0.1:9/", await cli.FailAsync("create", "cluster", "--name", "x", "--endpoint-url", "http://127.0.0.1:9"),
            StringComparison.Ordinal);
        Assert.Contains("no cluster named \"none\"", await cli.FailAsync("delete", "cluster", "--name", "none"), StringComparison.Ordinal);
        Assert.Contains("no node group named \"none\"", await cli.FailAsync("scale", "nodegroup", "--cluster", "taken", "--name", "none", "--nodes", "2"),
            StringComparison.Ordinal);
        var file = await WriteAsync("typo.yaml", "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: x}\nmanagedNodeGroups:\n  - name: a\n    desiredCapacit: 2\n");
        Assert.Equal($"Error: {file}:6:5: unknown field \"managedNodeGroups[0].desiredCapacit\"", await cli.FailAsync("create", "cluster", "-f", file));
        var valid = await WriteAsync("valid.yaml", "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: x}\n");
        Assert.Contains("cannot use --name when --config-file/-f is set", await cli.FailAsync("create", "cluster", "-f", valid, "--name", "y"), StringComparison.Ordinal);

        Assert.Equal("Error: Unrecognized command or argument '--bogus' (see 'berth create cluster --help')",
            await cli.FailAsync("create", "cluster", "--name", "x", "--bogus"));
        Assert.Equal("Error: Option '--cluster' is required (see 'berth get nodegroup --help')", await cli.FailAsync("get", "nodegroup"));

        cli.Environment["AWS_ACCESS_KEY_ID"] = "AKIAAAAAAAAAAAAAAAAA";
        cli.Environment["AWS_SECRET_ACCESS_KEY"] = "wrong";
        Assert.Contains("InvalidClientTokenId", await cli.FailAsync("create", "cluster", "--name", "x", "--endpoint-url", address.ToString()), StringComparison.Ordinal);
        cli.Environment.Remove("AWS_ACCESS_KEY_ID");
        cli.Environment.Remove("AWS_SECRET_ACCESS_KEY");

        Assert.Equal(["taken"], JsonDocument.Parse((await cli.RunAsync("get", "cluster", "-o", "json")).Output).RootElement.EnumerateArray()
            .Select(c => c.GetProperty("Name").GetString()));
        Assert.Matches(@"NAME\s+REGION\s+EKSCTL CREATED\ntaken\s+us-east-1\s+True", await cli.SucceedAsync("get", "cluster"));
    }

    [Fact]
    public async Task EksctlExamples_EachCreatesWhatItDescribes_OrNamesWhatBerthLacks()
    {
        var (server, _) = await BerthProcess.StartServerAsync(_data.Path, "--instance-runtime", "simulated");
        await using var _ = server;
        var cli = new ClusterCli(_data.Path, _home.Path);
        var created = new List<(string Name, string Region)>();
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "EksctlExamples"), "*.yaml").Order())
        {
            var text = await File.ReadAllTextAsync(file, Ct);
            var name = System.Text.RegularExpressions.Regex.Match(text, @"name: (cluster-\d+)").Groups[1].Value;
            var region = System.Text.RegularExpressions.Regex.Match(text, @"region: ([a-z0-9-]+)").Groups[1].Value;
            var (exitCode, _, error) = await cli.RunAsync("create", "cluster", "-f", file);
            var described = await cli.RunAsync("get", "cluster", "--name", name, "--region", region, "-o", "json");
            if (exitCode == 0)
            {
                Assert.Equal("ACTIVE", JsonDocument.Parse(described.Output).RootElement[0].GetProperty("status").GetString());
                created.Add((name, region));
                continue;
            }
            Assert.True(exitCode == 1, error);
            Assert.Matches(@$"^Error: ({System.Text.RegularExpressions.Regex.Escape(file)}:\d+:\d+: .+ is not supported by Berth|instance type "".+"" is not offered by Berth)", error);
            Assert.Contains($"no cluster named \"{name}\"", described.Error, StringComparison.Ordinal); // nothing was made
        }
        Assert.Equal(["cluster-1", "cluster-16", "cluster-19", "cluster-2", "cluster-4", "cluster-9"], created.Select(c => c.Name).Order(StringComparer.Ordinal));
        foreach (var (name, region) in created)
        {
            await cli.SucceedAsync("delete", "cluster", "--name", name, "--region", region, "--wait");
        }
    }

    private async Task<string> WriteAsync(string name, string text)
    {
        var path = _home.File(name);
        await File.WriteAllTextAsync(path, text, Ct);
        return path;
    }

    private static (int, int, int) Sizes(JsonElement group)
    {
        var scaling = group.GetProperty("scalingConfig");
        return (scaling.GetProperty("desiredSize").GetInt32(), scaling.GetProperty("minSize").GetInt32(), scaling.GetProperty("maxSize").GetInt32());
    }

    private sealed record NodeView(string Name, Dictionary<string, string> Labels, string Taints);

    /// <summary>The Ready nodes of a <c>kubectl get nodes -o json</c>, with their labels and taints as <c>key=value:Effect</c>.</summary>
    private static List<NodeView> ReadyNodes(string json) =>
        [.. JsonDocument.Parse(json).RootElement.GetProperty("items").EnumerateArray()
            .Where(n => n.GetProperty("status").TryGetProperty("conditions", out var conditions) && conditions.EnumerateArray()
                .Any(c => c.GetProperty("type").GetString() == "Ready" && c.GetProperty("status").GetString() == "True"))
            .Select(n => new NodeView(
                n.GetProperty("metadata").GetProperty("name").GetString()!,
                n.GetProperty("metadata").GetProperty("labels").EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString()!),
                string.Join(",", n.TryGetProperty("spec", out var spec) && spec.TryGetProperty("taints", out var taints)
                    ? taints.EnumerateArray().Select(t => $"{t.GetProperty("key").GetString()}={(t.TryGetProperty("value", out var v) ? v.GetString() : "")}:{t.GetProperty("effect").GetString()}")
                    : [])))];

}
