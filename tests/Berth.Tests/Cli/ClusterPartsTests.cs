using System.Diagnostics;
using System.Text.Json;
using Berth.Tests.Aws;
using Berth.Tests.Kube;

namespace Berth.Tests.Cli;

/// <summary>
/// A cluster's parts added and removed one command at a time (node groups, Fargate profiles, IAM service accounts,
/// add-ons), draining, kubeconfig writing and upgrades; and an interrupted create that <c>berth delete cluster</c>
/// cleans up. Simulated nodes: what is tested is the commands, not the containers.
/// </summary>
public sealed class ClusterPartsTests : IDisposable
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

    [Fact]
    public async Task Parts_AreAddedListedAndRemovedOneCommandAtATime()
    {
        var (server, address) = await BerthProcess.StartServerAsync(_data.Path, "--instance-runtime", "simulated");
        await using var _ = server;
        var cli = new ClusterCli(_data.Path, _home.Path);
        var aws = new AwsCli(address, _data.Path);
        await cli.SucceedAsync("create", "cluster", "--name", "parts", "--version", "1.31", "--without-nodegroup", "--with-oidc");

        await cli.SucceedAsync("create", "nodegroup", "--cluster", "parts", "--name", "ng", "--nodes", "2", "--node-type", "t3.small", "--node-labels", "tier=web,team=a");
        Assert.Contains("node group \"ng\" already exists", await cli.FailAsync("create", "nodegroup", "--cluster", "parts", "--name", "ng"), StringComparison.Ordinal);
        var group = JsonDocument.Parse((await cli.RunAsync("get", "nodegroup", "--cluster", "parts", "--name", "ng", "-o", "json")).Output).RootElement[0];
        Assert.Equal(("web", "ACTIVE"), (group.GetProperty("labels").GetProperty("tier").GetString(), group.GetProperty("status").GetString()));
        var yaml = (await cli.RunAsync("get", "nodegroup", "--cluster", "parts", "-o", "yaml")).Output;
        Assert.Contains("- nodegroupName: ng", yaml, StringComparison.Ordinal);
        Assert.Contains("version: \"1.31\"", yaml, StringComparison.Ordinal); // a version stays a string in YAML

        await cli.SucceedAsync("create", "fargateprofile", "--cluster", "parts", "--name", "fp", "--namespace", "jobs", "--labels", "run=batch");
        Assert.Matches(@"fp\s+jobs\s+run=batch\s+arn:aws:iam::000000000000:role/eksctl-parts-fargate-FargatePodExecutionRole",
            await cli.SucceedAsync("get", "fargateprofile", "--cluster", "parts"));

        // without --approve, a plan and nothing made
        Assert.Contains("(plan) would create IAM role and service account \"apps/reader\"",
            await cli.SucceedAsync("create", "iamserviceaccount", "--cluster", "parts", "--name", "reader", "--namespace", "apps",
                "--attach-policy-arn", "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"), StringComparison.Ordinal);
        Assert.Contains("No resources found", await cli.SucceedAsync("get", "iamserviceaccount", "--cluster", "parts"), StringComparison.Ordinal);
        Assert.Contains("policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist in IAM", await cli.FailAsync("create", "iamserviceaccount", "--cluster", "parts",
            "--name", "reader", "--attach-policy-arn", "arn:aws:iam::aws:policy/NoSuchPolicy", "--approve"), StringComparison.Ordinal);
        await cli.SucceedAsync("create", "iamserviceaccount", "--cluster", "parts", "--name", "reader", "--namespace", "apps",
            "--attach-policy-arn", "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly", "--role-name", "parts-reader", "--approve");
        Assert.Matches(@"apps\s+reader\s+arn:aws:iam::000000000000:role/parts-reader", await cli.SucceedAsync("get", "iamserviceaccount", "--cluster", "parts"));

        Assert.Contains("InvalidParameterException: Addon vpc-cni specified is not supported", await cli.FailAsync("create", "addon", "--cluster", "parts", "--name", "vpc-cni"),
            StringComparison.Ordinal);
        Assert.Contains("No resources found", await cli.SucceedAsync("get", "addon", "--cluster", "parts"), StringComparison.Ordinal);

        // a kubeconfig of its own, without changing the current context of the first
        var other = _home.File("other-kubeconfig");
        await cli.SucceedAsync("utils", "write-kubeconfig", "--cluster", "parts", "--kubeconfig", other);
        var kubectl = new Kubectl(other, _home.File("other-cache"), _home.File("manifests")) { Environment = cli.Environment };
        Assert.Equal(2, (await kubectl.SucceedAsync("get", "nodes", "-l", "eks.amazonaws.com/nodegroup=ng", "-o", "name")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        await cli.SucceedAsync("drain", "nodegroup", "--cluster", "parts", "--name", "ng");
        Assert.Equal("true true", await kubectl.SucceedAsync("get", "nodes", "-l", "eks.amazonaws.com/nodegroup=ng", "-o", "jsonpath={.items[*].spec.unschedulable}"));
        await cli.SucceedAsync("drain", "nodegroup", "--cluster", "parts", "--name", "ng", "--undo");
        Assert.Equal("", await kubectl.SucceedAsync("get", "nodes", "-l", "eks.amazonaws.com/nodegroup=ng", "-o", "jsonpath={.items[*].spec.unschedulable}"));

        // an upgrade is planned, then made; EKS moves one minor version at a time
        Assert.Contains("(plan) would upgrade cluster \"parts\" control plane from current version 1.31 to 1.32", await cli.SucceedAsync("upgrade", "cluster", "--name", "parts"),
            StringComparison.Ordinal);
        Assert.Equal("1.31", (await aws.SucceedAsync("eks", "describe-cluster", "--name", "parts")).GetProperty("cluster").GetProperty("version").GetString());
        await cli.SucceedAsync("upgrade", "cluster", "--name", "parts", "--approve");
        Assert.Equal("1.32", (await aws.SucceedAsync("eks", "describe-cluster", "--name", "parts")).GetProperty("cluster").GetProperty("version").GetString());
        var update = (await aws.SucceedAsync("eks", "list-updates", "--name", "parts")).GetProperty("updateIds")[0].GetString()!;
        Assert.Equal("Successful", (await aws.SucceedAsync("eks", "describe-update", "--name", "parts", "--update-id", update)).GetProperty("update").GetProperty("status").GetString());
        Assert.Contains("Unsupported Kubernetes minor version update from 1.32 to 1.33", await cli.FailAsync("upgrade", "cluster", "--name", "parts", "--approve"),
            StringComparison.Ordinal);

        await cli.SucceedAsync("delete", "fargateprofile", "--cluster", "parts", "--name", "fp");
        await cli.SucceedAsync("delete", "nodegroup", "--cluster", "parts", "--name", "ng");
        Assert.Equal(0, (await aws.SucceedAsync("eks", "list-nodegroups", "--cluster-name", "parts")).GetProperty("nodegroups").GetArrayLength());
        Assert.Equal(0, (await aws.SucceedAsync("eks", "list-fargate-profiles", "--cluster-name", "parts")).GetProperty("fargateProfileNames").GetArrayLength());
        await cli.SucceedAsync("delete", "cluster", "--name", "parts", "--wait");
        Assert.DoesNotContain((await aws.SucceedAsync("iam", "list-roles")).GetProperty("Roles").EnumerateArray(),
            r => r.GetProperty("RoleName").GetString() is var name && (name!.StartsWith("eksctl-parts-", StringComparison.Ordinal) || name == "parts-reader"));
    }

    [Fact]
    public async Task CtrlC_DuringCreate_LeavesWhatDeleteClusterRemoves()
    {
        var (server, address) = await BerthProcess.StartServerAsync(_data.Path, "--instance-runtime", "simulated");
        await using var _ = server;
        var cli = new ClusterCli(_data.Path, _home.Path);
        var aws = new AwsCli(address, _data.Path);
        using var create = cli.Start("create", "cluster", "--name", "halted", "--nodes", "2", "--with-oidc");
        var log = new System.Text.StringBuilder();
        while (await create.StandardError.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
        {
            log.AppendLine(line);
            if (line.Contains("creating node group", StringComparison.Ordinal))
            {
                using var interrupt = Process.Start("kill", ["-INT", create.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await interrupt.WaitForExitAsync(TestContext.Current.CancellationToken);
            }
        }
        await create.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        // the node group takes seconds to become ACTIVE: the signal arrives while it is awaited
        Assert.True(create.ExitCode == 130, log.ToString());
        Assert.Contains("Error: interrupted; what was made so far stays, and berth delete cluster removes it", log.ToString(), StringComparison.Ordinal);
        // the server goes on making what it was asked for; the client only stopped waiting
        Assert.Equal(1, (await aws.SucceedAsync("eks", "list-nodegroups", "--cluster-name", "halted")).GetProperty("nodegroups").GetArrayLength());

        await cli.SucceedAsync("delete", "cluster", "--name", "halted", "--wait");
        Assert.Equal(0, (await aws.SucceedAsync("eks", "list-clusters")).GetProperty("clusters").GetArrayLength());
        Assert.Equal(0, (await aws.SucceedAsync("autoscaling", "describe-auto-scaling-groups")).GetProperty("AutoScalingGroups").GetArrayLength());
        Assert.Equal(0, (await aws.SucceedAsync("iam", "list-open-id-connect-providers")).GetProperty("OpenIDConnectProviderList").GetArrayLength());
        Assert.DoesNotContain((await aws.SucceedAsync("iam", "list-roles")).GetProperty("Roles").EnumerateArray(),
            r => r.GetProperty("RoleName").GetString()!.StartsWith("eksctl-halted-", StringComparison.Ordinal));
    }
}
