using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.Tests.Agent;
using Berth.Tests.Kube;

namespace Berth.Tests.Aws;

/// <summary>
/// The EKS workflow through the stock AWS CLI (v2 and v1) and boto3, with kubectl beside them: a cluster, a managed node
/// group whose instances are real agents running real containers, scaling from EKS and from Auto Scaling, a Fargate
/// profile, an IAM user the cluster refuses, and deletion that leaves no agent or container behind.
/// </summary>
public sealed partial class EksTests : IDisposable
{
    private const string Image = "localhost/berth-test/busybox:1";

    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EksWorkflow_WithAwsCliV2_NodeGroupsScaleFargatePlacesAndDeletionLeavesNothing()
    {
        var (server, address) = await BerthProcess.StartServerAsync(_data.Path);
        await using var _ = server;
        var podman = await Podman.CreateAsync(_data.Path);
        await podman.BuildBusyboxAsync(_data.Path, Image);
        var aws = new AwsCli(address, _data.Path) { Executable = AwsCli.V2 };
        try
        {
            var (exitCode, output, errors) = await aws.RunAsync("eks", "create-cluster", "--name", "demo", "--role-arn", "arn:aws:iam::000000000000:role/eks",
                "--resources-vpc-config", "subnetIds=subnet-1,subnet-2");
            Assert.True(exitCode == 0, $"{errors}\nserver:\n{server.Output}");
            var created = JsonDocument.Parse(output).RootElement;
            Assert.Equal("CREATING", created.GetProperty("cluster").GetProperty("status").GetString());
            await aws.SucceedAsync("eks", "wait", "cluster-active", "--name", "demo");
            var cluster = (await aws.SucceedAsync("eks", "describe-cluster", "--name", "demo")).GetProperty("cluster");
            Assert.Equal(new Uri(server.KubeAddress, "/clusters/demo").ToString(), cluster.GetProperty("endpoint").GetString());
            Assert.Equal("arn:aws:eks:us-east-1:000000000000:cluster/demo", cluster.GetProperty("arn").GetString());
            Assert.False(string.IsNullOrEmpty(cluster.GetProperty("certificateAuthority").GetProperty("data").GetString()));

            var kubectl = await KubeconfigAsync(aws, "admin");
            Assert.Contains("No resources found", (await kubectl.RunAsync("get", "nodes")).Error, StringComparison.Ordinal);

            // a managed node group of two t3.small: two Ready nodes named and labelled as EKS's
            await aws.SucceedAsync("eks", "create-nodegroup", "--cluster-name", "demo", "--nodegroup-name", "ng", "--instance-types", "t3.small",
                "--scaling-config", "minSize=1,maxSize=3,desiredSize=2", "--subnets", "subnet-1", "--node-role", "arn:aws:iam::000000000000:role/node");
            await aws.SucceedAsync("eks", "wait", "nodegroup-active", "--cluster-name", "demo", "--nodegroup-name", "ng");
            var nodes = await ReadyNodesAsync(kubectl, 2);
            Assert.All(nodes, node => Assert.Matches(NodeName(), node.Name));
            Assert.All(nodes, node =>
            {
                Assert.Equal("ng", node.Labels["eks.amazonaws.com/nodegroup"]);
                Assert.Equal("t3.small", node.Labels["node.kubernetes.io/instance-type"]);
                Assert.Equal("ON_DEMAND", node.Labels["eks.amazonaws.com/capacityType"]);
                Assert.StartsWith("us-east-1", node.Labels["topology.kubernetes.io/zone"], StringComparison.Ordinal);
                Assert.Equal(("2", "2Gi"), (node.Cpu, node.Memory));
            });

            // scaled up through EKS
            await aws.SucceedAsync("eks", "update-nodegroup-config", "--cluster-name", "demo", "--nodegroup-name", "ng", "--scaling-config", "desiredSize=3");
            await ReadyNodesAsync(kubectl, 3);

            await kubectl.SucceedAsync("create", "deployment", "app", "--image", Image, "--replicas", "3", "--", "sleep", "3600");
            await kubectl.SucceedAsync("rollout", "status", "deployment/app", "--timeout=120s");

            // scaled down through Auto Scaling: nodes drained and gone, their pods run again on the one left
            var asg = (await aws.SucceedAsync("eks", "describe-nodegroup", "--cluster-name", "demo", "--nodegroup-name", "ng"))
                .GetProperty("nodegroup").GetProperty("resources").GetProperty("autoScalingGroups")[0].GetProperty("name").GetString()!;
            await aws.SucceedAsync("autoscaling", "set-desired-capacity", "--auto-scaling-group-name", asg, "--desired-capacity", "1");
            var left = Assert.Single(await ReadyNodesAsync(kubectl, 1));
            await kubectl.SucceedAsync("rollout", "status", "deployment/app", "--timeout=120s");
            var placed = await kubectl.SucceedAsync("get", "pods", "-l", "app=app", "--field-selector=status.phase=Running", "-o", "jsonpath={.items[*].spec.nodeName}");
            Assert.Equal(Enumerable.Repeat(left.Name, 3), placed.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            var activities = await aws.SucceedAsync("autoscaling", "describe-scaling-activities", "--auto-scaling-group-name", asg);
            Assert.Equal(2, activities.GetProperty("Activities").EnumerateArray().Count(a => a.GetProperty("Description").GetString()!.StartsWith("Terminating", StringComparison.Ordinal)));

            // a Fargate profile for dev: a pod there gets a right-sized node of its own
            await aws.SucceedAsync("eks", "create-fargate-profile", "--cluster-name", "demo", "--fargate-profile-name", "dev",
                "--pod-execution-role-arn", "arn:aws:iam::000000000000:role/fargate", "--selectors", "namespace=dev");
            await aws.SucceedAsync("eks", "wait", "fargate-profile-active", "--cluster-name", "demo", "--fargate-profile-name", "dev");
            await kubectl.SucceedAsync("create", "namespace", "dev");
            await kubectl.CreateAsync($$"""
                apiVersion: v1
                kind: Pod
                metadata: {name: job, namespace: dev}
                spec:
                  containers:
                  - name: main
                    image: "{{Image}}"
                    command: [sleep, "3600"]
                    resources:
                      requests: {cpu: 250m, memory: 256Mi}
                """);
            await kubectl.SucceedAsync("-n", "dev", "wait", "--for=condition=Ready", "pod/job", "--timeout=60s");
            var fargatePod = JsonDocument.Parse(await kubectl.SucceedAsync("-n", "dev", "get", "pod", "job", "-o", "json")).RootElement;
            Assert.StartsWith("fargate-ip-10-0-", fargatePod.GetProperty("spec").GetProperty("nodeName").GetString(), StringComparison.Ordinal);
            Assert.Equal("0.25vCPU 0.5GB", fargatePod.GetProperty("metadata").GetProperty("annotations").GetProperty("CapacityProvisioned").GetString());
            Assert.Equal("dev", fargatePod.GetProperty("metadata").GetProperty("labels").GetProperty("eks.amazonaws.com/fargate-profile").GetString());

            // an IAM user that may describe the cluster but that the cluster does not map is refused
            await aws.SucceedAsync("iam", "create-user", "--user-name", "outsider");
            await aws.SucceedAsync("iam", "put-user-policy", "--user-name", "outsider", "--policy-name", "describe", "--policy-document",
                """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"eks:DescribeCluster","Resource":"*"}]}""");
            var key = (await aws.SucceedAsync("iam", "create-access-key", "--user-name", "outsider")).GetProperty("AccessKey");
            var outsider = new AwsCli(address, _data.Path) { Executable = AwsCli.V2, Credentials = (key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!) };
            await outsider.SucceedAsync("sts", "get-caller-identity"); // the key is good: the cluster refuses the identity
            Assert.Contains("You must be logged in to the server", (await (await KubeconfigAsync(outsider, "outsider")).RunAsync("get", "pods")).Error, StringComparison.Ordinal);

            // deleted in order; the cluster waits for its node groups and profiles
            await aws.FailAsync("ResourceInUseException", "eks", "delete-cluster", "--name", "demo");
            await DeleteAllAsync(aws);
            await aws.FailAsync("ResourceNotFoundException", "eks", "describe-cluster", "--name", "demo");
            Assert.Empty(BerthProcess.AgentsOf(_data.Path));
            foreach (var node in nodes.Append(left))
            {
                Assert.Empty(await podman.ContainersOfNodeAsync(node.Name));
            }
            Assert.Empty(await podman.ContainersOfNodeAsync(fargatePod.GetProperty("spec").GetProperty("nodeName").GetString()!));
        }
        finally
        {
            await DeleteAllAsync(aws); // whatever a failure left, so no container outlives the test
            Podman.StopService(Path.Combine(_data.Path, "podman"));
        }
    }

    [Fact]
    public async Task EksAutoScalingAndEc2_WithAwsCliV1_RefuseBadInputWithAwsErrors()
    {
        var (server, address) = await BerthProcess.StartServerAsync(_data.Path, "--instance-runtime", "simulated");
        await using var _ = server;
        var aws = new AwsCli(address, _data.Path);
        await aws.SucceedAsync("eks", "create-cluster", "--name", "v1", "--role-arn", "arn:aws:iam::000000000000:role/eks",
            "--resources-vpc-config", "subnetIds=subnet-1", "--tags", "env=test");
        await aws.SucceedAsync("eks", "wait", "cluster-active", "--name", "v1");
        Assert.Equal(["v1"], (await aws.SucceedAsync("eks", "list-clusters")).GetProperty("clusters").EnumerateArray().Select(c => c.GetString()));
        await aws.FailAsync("ResourceInUseException", "eks", "create-cluster", "--name", "v1", "--role-arn", "arn:aws:iam::000000000000:role/eks",
            "--resources-vpc-config", "subnetIds=subnet-1");
        await aws.FailAsync("InvalidParameterException", "eks", "create-cluster", "--name", "bad.name", "--role-arn", "arn:aws:iam::000000000000:role/eks",
            "--resources-vpc-config", "subnetIds=subnet-1");
        await aws.FailAsync("InvalidParameterException", "eks", "create-cluster", "--name", "old", "--kubernetes-version", "1.10",
            "--role-arn", "arn:aws:iam::000000000000:role/eks", "--resources-vpc-config", "subnetIds=subnet-1");
        await aws.FailAsync("ResourceNotFoundException", "eks", "describe-cluster", "--name", "missing");

        // the EKS cluster is a Kubernetes cluster of its own: what is made in it is not seen from the default one
        var eks = await KubeconfigAsync(aws, "v1-admin", "v1");
        var defaultCluster = new Kubectl(Path.Combine(_data.Path, "kubeconfig"), _data.File("default-cache"), _data.File("manifests"));
        await eks.SucceedAsync("create", "configmap", "only-here", "--from-literal=a=b");
        await eks.CreateAsync("""
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: widgets.example.com}
            spec:
              group: example.com
              names: {kind: Widget, plural: widgets}
              scope: Namespaced
              versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
            """);
        await eks.SucceedAsync("wait", "--for=condition=Established", "crd/widgets.example.com", "--timeout=30s");
        Assert.Contains("widgets", await eks.SucceedAsync("api-resources", "--api-group=example.com"), StringComparison.Ordinal);
        Assert.Contains("NotFound", await defaultCluster.FailAsync("get", "configmap", "only-here"), StringComparison.Ordinal);
        Assert.DoesNotContain("widgets", await defaultCluster.SucceedAsync("api-resources"), StringComparison.Ordinal);

        await aws.FailAsync("InvalidParameterException", "eks", "create-nodegroup", "--cluster-name", "v1", "--nodegroup-name", "ng",
            "--scaling-config", "minSize=3,maxSize=1,desiredSize=2", "--subnets", "subnet-1", "--node-role", "arn:aws:iam::000000000000:role/node");
        await aws.FailAsync("InvalidParameterException", "eks", "create-nodegroup", "--cluster-name", "v1", "--nodegroup-name", "ng",
            "--instance-types", "x9.huge", "--subnets", "subnet-1", "--node-role", "arn:aws:iam::000000000000:role/node");
        await aws.SucceedAsync("eks", "create-nodegroup", "--cluster-name", "v1", "--nodegroup-name", "ng", "--scaling-config", "minSize=1,maxSize=2,desiredSize=1",
            "--subnets", "subnet-1", "--node-role", "arn:aws:iam::000000000000:role/node");
        await aws.FailAsync("ResourceInUseException", "eks", "delete-cluster", "--name", "v1");
        await UntilAsync("the node group to be ACTIVE", async () => (await aws.SucceedAsync("eks", "describe-nodegroup", "--cluster-name", "v1", "--nodegroup-name", "ng"))
            .GetProperty("nodegroup").GetProperty("status").GetString() == "ACTIVE");
        await aws.FailAsync("InvalidParameterException", "eks", "update-nodegroup-config", "--cluster-name", "v1", "--nodegroup-name", "ng",
            "--scaling-config", "desiredSize=5");
        var arn = (await aws.SucceedAsync("eks", "describe-cluster", "--name", "v1")).GetProperty("cluster").GetProperty("arn").GetString()!;
        await aws.SucceedAsync("eks", "tag-resource", "--resource-arn", arn, "--tags", "owner=ci");
        var tags = (await aws.SucceedAsync("eks", "list-tags-for-resource", "--resource-arn", arn)).GetProperty("tags");
        Assert.Equal(("test", "ci"), (tags.GetProperty("env").GetString(), tags.GetProperty("owner").GetString()));
        await aws.FailAsync("NotFoundException", "eks", "list-tags-for-resource", "--resource-arn", "arn:aws:eks:us-east-1:000000000000:cluster/none");

        // access entries: the creator's, made with the cluster; an IAM user gets in by its own, as far as its access policy reaches
        Assert.Equal(["arn:aws:iam::000000000000:root"],
            (await aws.SucceedAsync("eks", "list-access-entries", "--cluster-name", "v1")).GetProperty("accessEntries").EnumerateArray().Select(e => e.GetString()));
        await aws.SucceedAsync("iam", "create-user", "--user-name", "dev");
        await aws.SucceedAsync("iam", "put-user-policy", "--user-name", "dev", "--policy-name", "describe", "--policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"eks:DescribeCluster","Resource":"*"}]}""");
        var key = (await aws.SucceedAsync("iam", "create-access-key", "--user-name", "dev")).GetProperty("AccessKey");
        var dev = await KubeconfigAsync(new AwsCli(address, _data.Path) { Credentials = (key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!) },
            "dev", "v1");
        Assert.Contains("You must be logged in to the server", await dev.FailAsync("get", "pods"), StringComparison.Ordinal);
        await aws.SucceedAsync("eks", "create-access-entry", "--cluster-name", "v1", "--principal-arn", "arn:aws:iam::000000000000:user/dev");
        await aws.SucceedAsync("eks", "associate-access-policy", "--cluster-name", "v1", "--principal-arn", "arn:aws:iam::000000000000:user/dev",
            "--policy-arn", "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", "--access-scope", "type=namespace,namespaces=team");
        await eks.SucceedAsync("create", "namespace", "team");
        await dev.SucceedAsync("get", "pods", "-n", "team");
        Assert.Contains("User \"arn:aws:iam::000000000000:user/dev\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"",
            await dev.FailAsync("get", "pods", "-n", "default"), StringComparison.Ordinal);
        Assert.Contains("cannot create resource \"configmaps\"", await dev.FailAsync("-n", "team", "create", "configmap", "x"), StringComparison.Ordinal);
        await aws.FailAsync("ResourceInUseException", "eks", "create-access-entry", "--cluster-name", "v1", "--principal-arn", "arn:aws:iam::000000000000:user/dev");
        await aws.FailAsync("InvalidParameterException", "eks", "create-access-entry", "--cluster-name", "v1",
            "--principal-arn", "arn:aws:iam::000000000000:user/other", "--kubernetes-groups", "system:masters");
        await aws.SucceedAsync("eks", "delete-access-entry", "--cluster-name", "v1", "--principal-arn", "arn:aws:iam::000000000000:user/dev");
        Assert.Contains("You must be logged in to the server", await dev.FailAsync("get", "pods", "-n", "team"), StringComparison.Ordinal);

        // IAM roles for service accounts: the cluster's issuer, an OIDC provider for it, a role trusting one service account
        var described = (await aws.SucceedAsync("eks", "describe-cluster", "--name", "v1")).GetProperty("cluster");
        var issuer = described.GetProperty("identity").GetProperty("oidc").GetProperty("issuer").GetString()!;
        using (var http = Trusting(described.GetProperty("certificateAuthority").GetProperty("data").GetString()!))
        {
            var discovery = JsonDocument.Parse(await http.GetStringAsync(issuer + "/.well-known/openid-configuration", Ct)).RootElement;
            Assert.Equal(issuer, discovery.GetProperty("issuer").GetString());
            var keys = JsonDocument.Parse(await http.GetStringAsync(discovery.GetProperty("jwks_uri").GetString(), Ct)).RootElement.GetProperty("keys");
            Assert.Equal("ES256", Assert.Single(keys.EnumerateArray()).GetProperty("alg").GetString());
        }
        var providerArn = (await aws.SucceedAsync("iam", "create-open-id-connect-provider", "--url", issuer, "--client-id-list", "sts.amazonaws.com",
            "--thumbprint-list", "0000000000000000000000000000000000000000")).GetProperty("OpenIDConnectProviderArn").GetString()!;
        var url = issuer["https://".Length..];
        Assert.Equal($"arn:aws:iam::000000000000:oidc-provider/{url}", providerArn);
        var trust = new System.Text.Json.Nodes.JsonObject
        {
            ["Version"] = "2012-10-17",
            ["Statement"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject
            {
                ["Effect"] = "Allow",
                ["Principal"] = new System.Text.Json.Nodes.JsonObject { ["Federated"] = providerArn },
                ["Action"] = "sts:AssumeRoleWithWebIdentity",
                ["Condition"] = new System.Text.Json.Nodes.JsonObject
                {
                    ["StringEquals"] = new System.Text.Json.Nodes.JsonObject { [$"{url}:sub"] = "system:serviceaccount:team:app", [$"{url}:aud"] = "sts.amazonaws.com" },
                },
            }),
        };
        await aws.SucceedAsync("iam", "create-role", "--role-name", "app", "--assume-role-policy-document", trust.ToJsonString());
        await eks.SucceedAsync("-n", "team", "create", "serviceaccount", "app");
        await eks.SucceedAsync("-n", "team", "annotate", "serviceaccount", "app", "eks.amazonaws.com/role-arn=arn:aws:iam::000000000000:role/app");
        var webToken = (await eks.SucceedAsync("-n", "team", "create", "token", "app", "--audience", "sts.amazonaws.com")).Trim();
        var assumed = await new AwsCli(address, _data.Path) { Credentials = ("", "") }.SucceedAsync("sts", "assume-role-with-web-identity",
            "--role-arn", "arn:aws:iam::000000000000:role/app", "--role-session-name", "pod", "--web-identity-token", webToken);
        Assert.Equal("arn:aws:sts::000000000000:assumed-role/app/pod", assumed.GetProperty("AssumedRoleUser").GetProperty("Arn").GetString());
        Assert.Equal("system:serviceaccount:team:app", assumed.GetProperty("SubjectFromWebIdentityToken").GetString());
        var otherToken = (await eks.SucceedAsync("-n", "team", "create", "token", "default", "--audience", "sts.amazonaws.com")).Trim();
        await new AwsCli(address, _data.Path) { Credentials = ("", "") }.FailAsync("AccessDenied", "sts", "assume-role-with-web-identity",
            "--role-arn", "arn:aws:iam::000000000000:role/app", "--role-session-name", "pod", "--web-identity-token", otherToken);
        // and a pod of that account gets the token and the environment the SDKs read
        await eks.SucceedAsync("-n", "team", "run", "sdk", "--image", "busybox", "--overrides", """{"spec":{"serviceAccountName":"app"}}""", "--", "sleep", "60");
        var podSpec = JsonDocument.Parse(await eks.SucceedAsync("-n", "team", "get", "pod", "sdk", "-o", "json")).RootElement.GetProperty("spec");
        var env = podSpec.GetProperty("containers")[0].GetProperty("env").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!, e => e.GetProperty("value").GetString());
        Assert.Equal(("arn:aws:iam::000000000000:role/app", "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"), (env["AWS_ROLE_ARN"], env["AWS_WEB_IDENTITY_TOKEN_FILE"]));
        Assert.Contains(podSpec.GetProperty("volumes").EnumerateArray(), v => v.GetProperty("name").GetString() == "aws-iam-token"
            && v.GetProperty("projected").GetProperty("sources")[0].GetProperty("serviceAccountToken").GetProperty("audience").GetString() == "sts.amazonaws.com");

        var asg = (await aws.SucceedAsync("autoscaling", "describe-auto-scaling-groups", "--filters", "Name=tag:eks:nodegroup-name,Values=ng"))
            .GetProperty("AutoScalingGroups")[0].GetProperty("AutoScalingGroupName").GetString()!;
        await aws.FailAsync("ValidationError", "autoscaling", "set-desired-capacity", "--auto-scaling-group-name", asg, "--desired-capacity", "3");
        await aws.FailAsync("ValidationError", "autoscaling", "update-auto-scaling-group", "--auto-scaling-group-name", asg, "--min-size", "3", "--max-size", "2");
        await aws.FailAsync("ValidationError", "autoscaling", "set-desired-capacity", "--auto-scaling-group-name", "none", "--desired-capacity", "1");

        // an instance whose machine dies is replaced, as an Auto Scaling group replaces an unhealthy instance
        var lost = (await aws.SucceedAsync("autoscaling", "describe-auto-scaling-groups", "--auto-scaling-group-names", asg))
            .GetProperty("AutoScalingGroups")[0].GetProperty("Instances")[0].GetProperty("InstanceId").GetString()!;
        var machine = Assert.Single(BerthProcess.AgentsOf(_data.Path), pid => File.ReadAllText($"/proc/{pid}/cmdline").Contains($"/instances/{lost}/", StringComparison.Ordinal));
        Process.GetProcessById(machine).Kill();
        await UntilAsync("the lost instance to be replaced", async () =>
        {
            var members = (await aws.SucceedAsync("autoscaling", "describe-auto-scaling-groups", "--auto-scaling-group-names", asg))
                .GetProperty("AutoScalingGroups")[0].GetProperty("Instances").EnumerateArray().ToList();
            return members.Count == 1 && members[0].GetProperty("InstanceId").GetString() != lost && members[0].GetProperty("LifecycleState").GetString() == "InService";
        });
        Assert.Equal("terminated", (await aws.SucceedAsync("ec2", "describe-instances", "--instance-ids", lost))
            .GetProperty("Reservations")[0].GetProperty("Instances")[0].GetProperty("State").GetProperty("Name").GetString());
        Assert.Contains((await aws.SucceedAsync("autoscaling", "describe-scaling-activities", "--auto-scaling-group-name", asg)).GetProperty("Activities").EnumerateArray(),
            a => a.GetProperty("Cause").GetString()!.Contains("EC2 instance status checks failure", StringComparison.Ordinal));
        await aws.FailAsync("InvalidInstanceID.NotFound", "ec2", "describe-instances", "--instance-ids", "i-0123456789abcdef0");
        await aws.FailAsync("InvalidInstanceType", "ec2", "describe-instance-types", "--instance-types", "x9.huge");

        // a wrong secret: each protocol's own signature error
        var keyId = (await File.ReadAllLinesAsync(Path.Combine(_data.Path, "aws-credentials"), Ct))
            .Single(l => l.StartsWith("aws_access_key_id", StringComparison.Ordinal)).Split('=', 2)[1].Trim();
        var forged = new AwsCli(address, _data.Path) { Credentials = (keyId, "wrong-secret") };
        await forged.FailAsync("SignatureDoesNotMatch", "autoscaling", "describe-auto-scaling-groups");
        await forged.FailAsync("InvalidSignatureException", "eks", "list-clusters");

        await aws.SucceedAsync("eks", "delete-nodegroup", "--cluster-name", "v1", "--nodegroup-name", "ng");
        await UntilAsync("the node group to go", async () =>
            (await aws.SucceedAsync("eks", "list-nodegroups", "--cluster-name", "v1")).GetProperty("nodegroups").GetArrayLength() == 0);
        await aws.SucceedAsync("eks", "delete-cluster", "--name", "v1");
        await UntilAsync("the cluster to go", async () => (await aws.RunAsync("eks", "describe-cluster", "--name", "v1")).ExitCode != 0);
        Assert.Empty(BerthProcess.AgentsOf(_data.Path));
    }

    [Fact]
    public async Task EksAutoScalingAndEc2_WithBoto3_DriveNodeGroupsAsAnSdkUserDoes()
    {
        var (server, address) = await BerthProcess.StartServerAsync(_data.Path, "--instance-runtime", "simulated");
        await using var _ = server;
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Aws", "eks_with_boto3.py"));
        start.ArgumentList.Add(address.ToString());
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_data.Path, "aws-credentials");
        start.Environment["AWS_CONFIG_FILE"] = Path.Combine(_data.Path, "no-aws-config");
        start.Environment["AWS_PROFILE"] = "berth";
        using var python = Process.Start(start)!;
        var output = python.StandardOutput.ReadToEndAsync(Ct);
        var errors = python.StandardError.ReadToEndAsync(Ct);
        await python.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromMinutes(3), Ct);
        Assert.True(python.ExitCode == 0, await output + await errors);
        Assert.Contains("all checks passed", await output, StringComparison.Ordinal);
        Assert.Empty(BerthProcess.AgentsOf(_data.Path));
    }

    /// <summary>An HTTP client that trusts the cluster's CA (EKS's <c>certificateAuthority.data</c>) and presents no credentials.</summary>
    private static HttpClient Trusting(string caData)
    {
        var authority = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(caData)));
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
        {
            chain!.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            return chain.Build((System.Security.Cryptography.X509Certificates.X509Certificate2)certificate!);
        };
        return new HttpClient(handler);
    }

    /// <summary>kubectl with the kubeconfig <c>aws eks update-kubeconfig</c> writes for <paramref name="aws"/>'s identity.</summary>
    private async Task<Kubectl> KubeconfigAsync(AwsCli aws, string name, string cluster = "demo")
    {
        var path = _data.File($"{name}.kubeconfig");
        var (exitCode, output, errors) = await aws.RunAsync("eks", "update-kubeconfig", "--name", cluster, "--kubeconfig", path);
        Assert.True(exitCode == 0 && output.Contains("Added new context", StringComparison.Ordinal), output + errors);
        var environment = new Dictionary<string, string>
        {
            ["AWS_CONFIG_FILE"] = Path.Combine(_data.Path, "no-aws-config"),
            ["AWS_SHARED_CREDENTIALS_FILE"] = aws.Credentials is null ? Path.Combine(_data.Path, "aws-credentials") : Path.Combine(_data.Path, "no-aws-credentials"),
        };
        if (aws.Credentials is { } credentials)
        {
            environment["AWS_ACCESS_KEY_ID"] = credentials.AccessKeyId;
            environment["AWS_SECRET_ACCESS_KEY"] = credentials.Secret;
        }
        return new Kubectl(path, _data.File($"{name}-cache"), _data.File("manifests")) { Environment = environment };
    }

    private sealed record NodeView(string Name, Dictionary<string, string> Labels, string Cpu, string Memory);

    /// <summary>Waits until the cluster has exactly <paramref name="count"/> nodes, all Ready; returns them.</summary>
    private static async Task<List<NodeView>> ReadyNodesAsync(Kubectl kubectl, int count)
    {
        List<NodeView> nodes = [];
        await UntilAsync($"{count} Ready nodes", async () =>
        {
            var list = JsonDocument.Parse(await kubectl.SucceedAsync("get", "nodes", "-o", "json")).RootElement.GetProperty("items");
            nodes = [.. list.EnumerateArray().Select(n => new NodeView(
                n.GetProperty("metadata").GetProperty("name").GetString()!,
                n.GetProperty("metadata").GetProperty("labels").EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString()!),
                n.GetProperty("status").GetProperty("capacity").GetProperty("cpu").GetString()!,
                n.GetProperty("status").GetProperty("capacity").GetProperty("memory").GetString()!))];
            var ready = list.EnumerateArray().Count(n => n.GetProperty("status").GetProperty("conditions").EnumerateArray()
                .Any(c => c.GetProperty("type").GetString() == "Ready" && c.GetProperty("status").GetString() == "True"));
            return nodes.Count == count && ready == count;
        });
        return nodes;
    }

    /// <summary>Deletes every Fargate profile, node group and cluster the account has, and waits until all are gone.</summary>
    private async Task DeleteAllAsync(AwsCli aws)
    {
        foreach (var cluster in (await aws.SucceedAsync("eks", "list-clusters")).GetProperty("clusters").EnumerateArray().Select(c => c.GetString()!))
        {
            foreach (var profile in (await aws.SucceedAsync("eks", "list-fargate-profiles", "--cluster-name", cluster)).GetProperty("fargateProfileNames").EnumerateArray())
            {
                await aws.RunAsync("eks", "delete-fargate-profile", "--cluster-name", cluster, "--fargate-profile-name", profile.GetString()!);
            }
            foreach (var group in (await aws.SucceedAsync("eks", "list-nodegroups", "--cluster-name", cluster)).GetProperty("nodegroups").EnumerateArray())
            {
                await aws.RunAsync("eks", "delete-nodegroup", "--cluster-name", cluster, "--nodegroup-name", group.GetString()!);
            }
            await UntilAsync("the node groups and profiles to go", async () =>
                (await aws.SucceedAsync("eks", "list-nodegroups", "--cluster-name", cluster)).GetProperty("nodegroups").GetArrayLength() == 0
                && (await aws.SucceedAsync("eks", "list-fargate-profiles", "--cluster-name", cluster)).GetProperty("fargateProfileNames").GetArrayLength() == 0);
            await aws.SucceedAsync("eks", "delete-cluster", "--name", cluster);
            await UntilAsync("the cluster to go", async () => (await aws.RunAsync("eks", "describe-cluster", "--name", cluster)).ExitCode != 0);
        }
        await UntilAsync("the agents to stop", () => Task.FromResult(BerthProcess.AgentsOf(_data.Path).Count == 0));
    }


    private static async Task UntilAsync(string what, Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(250, Ct);
        }
    }

    [GeneratedRegex(@"^ip-10-0-\d{1,3}-\d{1,3}\.us-east-1\.compute\.internal$")]
    private static partial Regex NodeName();
}
