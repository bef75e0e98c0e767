using System.CommandLine;
using System.Text;
using Berth.Aws.Accounts;
using Berth.Client.Aws;
using Berth.Client.Clusters;
using Berth.Client.Kube;
using Berth.Client.Output;
using Berth.Server;
using k8s;

namespace Berth.Cli;

/// <summary>
/// <c>berth status</c>: whether the server of the data folder runs, where its endpoints are, and each cluster with its
/// node groups and how many of their nodes are Ready — read through the same public APIs as every other client.
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string?>("--data-dir") { Description = "Berth's data folder (default: $BERTH_DATA_DIR, else ~/.berth)." };
        var port = new Option<int>("--port") { Description = "Port of the AWS endpoint.", DefaultValueFactory = _ => ServerOptions.DefaultPort };
        var region = new Option<string>("--region") { Description = "Region whose clusters are shown.", DefaultValueFactory = _ => AwsProfileFile.DefaultRegion };
        var command = new Command("status", "Show whether Berth runs, its endpoints, and its clusters' nodes.") { dataDir, port, region };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var data = DataDirectory.Resolve(parseResult.GetValue(dataDir));
            var server = new LocalServer(data, parseResult.GetValue(port));
            var pid = server.RunningPid();
            if (!await server.IsReadyAsync(cancellationToken))
            {
                await output.WriteLineAsync(pid is null ? $"Berth is not running (data folder {data}); berth up starts it."
                    : $"berth server (pid {pid}) runs but does not answer at {server.Endpoint}; see {server.LogFile}.");
                return pid is null ? ExitCodes.Ok : ExitCodes.Failure;
            }
            var text = new StringBuilder();
            text.AppendLine($"Berth is running{(pid is null ? "" : $" (pid {pid}, started by berth up)")}.");
            text.AppendLine($"  AWS endpoint and registry   {server.Endpoint.ToString().TrimEnd('/')}");
            text.AppendLine($"  data folder                 {data}");
            var key = File.Exists(Path.Combine(data, AwsProfileFile.CredentialsFileName))
                ? AwsProfileFile.Read(await File.ReadAllTextAsync(Path.Combine(data, AwsProfileFile.CredentialsFileName), cancellationToken), AwsProfileFile.Profile)
                : null;
            if (key is null)
            {
                text.AppendLine("  (another data folder's server answers on this port: its clusters are not shown)");
                await output.WriteAsync(text.ToString());
                return ExitCodes.Ok;
            }
            using var http = new HttpClient();
            var time = TimeProvider.System;
            var session = new ClusterSession(new AwsClient(http, new AwsOptions(null, parseResult.GetValue(region), server.Endpoint.ToString(),
                new AwsCredentials(key["aws_access_key_id"], key["aws_secret_access_key"])), time), ProgressLog.ToStandardError(time), time);
            var clusters = await session.Eks.ListClustersAsync(cancellationToken);
            text.AppendLine(clusters.Count == 0 ? $"No clusters in {parseResult.GetValue(region)}." : $"Clusters in {parseResult.GetValue(region)}:");
            foreach (var name in clusters)
            {
                if (await session.Eks.DescribeClusterAsync(name, cancellationToken) is not { } cluster)
                {
                    continue;
                }
                text.AppendLine($"  {name}   {cluster["status"]}   Kubernetes {cluster["version"]}   {cluster["endpoint"]}");
                var ready = await ReadyNodesAsync(session, cluster, cancellationToken);
                foreach (var group in await session.Eks.ListNodegroupsAsync(name, cancellationToken))
                {
                    var described = await session.Eks.DescribeNodegroupAsync(name, group, cancellationToken);
                    var desired = described?["scalingConfig"]?["desiredSize"]?.GetValue<int>() ?? 0;
                    text.AppendLine($"    node group {group}   {described?["status"]}   {ready.GetValueOrDefault(group)}/{desired} nodes Ready");
                }
            }
            await output.WriteAsync(text.ToString());
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Ready nodes per node group, from the cluster's own API; none when it is not ACTIVE.</summary>
    private static async Task<Dictionary<string, int>> ReadyNodesAsync(ClusterSession session, System.Text.Json.Nodes.JsonObject cluster, CancellationToken cancellationToken)
    {
        if (cluster["status"]?.GetValue<string>() != "ACTIVE")
        {
            return [];
        }
        using var kube = ClusterApi.Connect(cluster, session.EksSettings, session.Time.GetUtcNow());
        var nodes = await kube.CoreV1.ListNodeAsync(cancellationToken: cancellationToken);
        return nodes.Items.Where(n => n.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true)
            .GroupBy(n => n.Metadata.Labels is { } labels && labels.TryGetValue("eks.amazonaws.com/nodegroup", out var group) ? group : "")
            .ToDictionary(g => g.Key, g => g.Count());
    }
}
