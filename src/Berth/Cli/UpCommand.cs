using System.CommandLine;
using Berth.Aws.Accounts;
using Berth.Client.Aws;
using Berth.Client.Clusters;
using Berth.Client.Commands;
using Berth.Client.Config;
using Berth.Client.Output;
using Berth.Server;

namespace Berth.Cli;

/// <summary>
/// <c>berth up</c>: one command from nothing to a cluster. Starts the server in the background unless one answers,
/// writes the <c>berth</c> AWS CLI profile, makes a demo cluster with a node group of two nodes through the EKS API
/// unless it exists, writes its kubeconfig entry, and prints the endpoints, the credentials and three next steps.
/// </summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string?>("--data-dir") { Description = "Berth's data folder (default: $BERTH_DATA_DIR, else ~/.berth)." };
        var port = new Option<int>("--port") { Description = "Port of the AWS endpoint and registry.", DefaultValueFactory = _ => ServerOptions.DefaultPort };
        var kubePort = new Option<int>("--kube-port") { Description = "HTTPS port of the Kubernetes API.", DefaultValueFactory = _ => Berth.Kube.KubeApiOptions.DefaultPort };
        var clusterName = new Option<string>("--cluster-name") { Description = "Name of the demo cluster.", DefaultValueFactory = _ => "demo" };
        var nodes = new Option<int>("--nodes") { Description = "Nodes in the demo cluster's node group.", DefaultValueFactory = _ => 2 };
        var nodeType = new Option<string>("--node-type") { Description = "Instance type of its nodes.", DefaultValueFactory = _ => "t3.medium" };
        var instanceRuntime = new Option<string>("--instance-runtime")
        {
            Description = "How the server's instances run pods, when it starts it: podman or simulated.",
            DefaultValueFactory = _ => "podman",
        };
        instanceRuntime.AcceptOnlyFromAmong("podman", "simulated");
        var command = new Command("up", "Start Berth if it is not running and make sure a demo cluster with Ready nodes exists.")
        {
            dataDir, port, kubePort, clusterName, nodes, nodeType, instanceRuntime,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var output = parseResult.InvocationConfiguration.Output;
            var time = TimeProvider.System;
            var log = ProgressLog.ToStandardError(time);
            var data = DataDirectory.Resolve(parseResult.GetValue(dataDir));
            var server = new LocalServer(data, parseResult.GetValue(port));
            var name = parseResult.GetValue(clusterName)!;
            try
            {
                if (await server.IsReadyAsync(cancellationToken))
                {
                    log.Info($"Berth is running at {server.Endpoint}");
                }
                else
                {
                    log.Info($"starting berth server (data in {data}, log in {server.LogFile})");
                    await log.WaitAsync("waiting for the server to be ready", () => server.StartAsync(
                        ["--kube-port", parseResult.GetValue(kubePort).ToString(System.Globalization.CultureInfo.InvariantCulture), "--instance-runtime", parseResult.GetValue(instanceRuntime)!],
                        cancellationToken));
                    log.Success($"berth server is ready at {server.Endpoint}");
                }
                var key = AwsProfileFile.Read(await File.ReadAllTextAsync(Path.Combine(data, AwsProfileFile.CredentialsFileName), cancellationToken), AwsProfileFile.Profile)
                    ?? throw new ClusterCommandException($"the server wrote no credentials into {data}");
                var region = AwsProfileFile.DefaultRegion;
                var (credentialsFile, _) = await CredentialsCommand.WriteProfileAsync(key, region, server.Endpoint.ToString().TrimEnd('/'), cancellationToken);
                log.Info($"wrote the {AwsProfileFile.Profile} profile to {credentialsFile}");

                using var http = new HttpClient();
                var session = new ClusterSession(new AwsClient(http, new AwsOptions(AwsProfileFile.Profile, region, server.Endpoint.ToString(),
                    new AwsCredentials(key["aws_access_key_id"], key["aws_secret_access_key"])), time), log, time);
                var cluster = await session.Eks.DescribeClusterAsync(name, cancellationToken);
                if (cluster is null)
                {
                    var count = parseResult.GetValue(nodes);
                    cluster = await new ClusterCreator(session).CreateAsync(new ClusterConfig
                    {
                        Name = name,
                        NodeGroups = [new NodeGroupConfig { Name = "ng-1", InstanceTypes = [parseResult.GetValue(nodeType)!], DesiredCapacity = count, MinSize = count, MaxSize = count }],
                    }, cancellationToken);
                }
                else
                {
                    cluster = await session.WaitForAsync($"cluster \"{name}\" to be ACTIVE", ct => session.Eks.DescribeClusterAsync(name, ct), "ACTIVE", ["FAILED", "DELETING"],
                        ClusterCreator.ClusterTimeout, cancellationToken);
                    log.Info($"cluster \"{name}\" exists already");
                }
                var context = await ClusterKubeconfig.WriteAsync(session, cluster!, null, setContext: true, cancellationToken);
                var groups = await session.Eks.ListNodegroupsAsync(name, cancellationToken);
                await output.WriteAsync(Summary(server, data, key, region, name, cluster!["endpoint"]!.GetValue<string>(), context, groups.FirstOrDefault()));
                return ExitCodes.Ok;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await error.WriteLineAsync($"Error: interrupted; berth up again carries on, and berth delete cluster --name {name} removes what was made");
                return 130;
            }
            catch (Exception e) when (e is AwsApiException or AwsUnreachableException or AwsConfigurationException or ClusterCommandException or ServerStartException or IOException)
            {
                await error.WriteLineAsync($"Error: {e.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    private static string Summary(LocalServer server, string data, IReadOnlyDictionary<string, string> key, string region, string cluster, string kubeApi,
        string context, string? nodegroup)
    {
        var endpoint = server.Endpoint.ToString().TrimEnd('/');
        var registry = $"{server.Endpoint.Authority}";
        return $"""

            Berth is up.
              AWS endpoint     {endpoint}   (region {region}; profile {AwsProfileFile.Profile})
              Kubernetes API   {kubeApi}   (kubectl context {context})
              Registry         {registry}   (aws --profile {AwsProfileFile.Profile} ecr get-login-password | podman login --username AWS --password-stdin --tls-verify=false {registry})
              Data and log     {data}, {server.LogFile}

            Credentials (also in the {AwsProfileFile.Profile} profile of your AWS CLI files):
              AWS_ACCESS_KEY_ID={key.GetValueOrDefault("aws_access_key_id")}
              AWS_SECRET_ACCESS_KEY={key.GetValueOrDefault("aws_secret_access_key")}

            Next steps:
              kubectl get nodes -o wide
              aws --profile {AwsProfileFile.Profile} eks describe-nodegroup --cluster-name {cluster} --nodegroup-name {nodegroup ?? "ng-1"}
              berth scale nodegroup --cluster {cluster} --name {nodegroup ?? "ng-1"} --nodes 3 --nodes-max 3 --wait

            berth status shows what runs; berth down stops it all.

            """;
    }
}
