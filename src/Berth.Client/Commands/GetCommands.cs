using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Client.Clusters;
using Berth.Client.Kube;
using Berth.Client.Output;
using k8s;

namespace Berth.Client.Commands;

/// <summary><c>berth get cluster|nodegroup|fargateprofile|iamserviceaccount|addon</c>, with eksctl's columns.</summary>
internal static class GetCommands
{
    public static Command Create()
    {
        var command = new Command("get", "List clusters and their parts.")
        {
            Cluster(), Nodegroup(), FargateProfile(), IamServiceAccount(), Addon(),
        };
        return ClusterCommandLine.WithAwsOptions(command);
    }

    private static Command Cluster()
    {
        var name = new Option<string?>("--name", "-n") { Description = "Only this cluster." };
        var output = ClusterCommandLine.Output();
        var command = new Command("cluster", "List clusters.") { name, output };
        command.Aliases.Add("clusters");
        ClusterCommandLine.SetAction(command, async (parseResult, session, cancellationToken) =>
        {
            var region = session.EksSettings.Region;
            if (parseResult.GetValue(name) is { } one)
            {
                // one cluster: its EKS description, in eksctl's columns for it
                var cluster = await session.Eks.DescribeClusterAsync(one, cancellationToken)
                    ?? throw new ClusterCommandException($"no cluster named \"{one}\" in {region} (berth get cluster lists them)");
                return await PrintAsync(parseResult, output, ["NAME", "VERSION", "STATUS", "CREATED", "VPC", "SUBNETS", "SECURITYGROUPS", "PROVIDER"], [cluster], c =>
                    [Text(c, "name"), Text(c, "version"), Text(c, "status"), Created(c), Text(c["resourcesVpcConfig"] as JsonObject ?? [], "vpcId") is { Length: > 0 } vpc ? vpc : "-",
                     Joined(c["resourcesVpcConfig"]?["subnetIds"]), Joined(c["resourcesVpcConfig"]?["securityGroupIds"]), "EKS"]);
            }
            // every cluster of the region: a summary, as eksctl's, whose last column says whether eksctl's tags are on it
            var summaries = new List<JsonObject>();
            foreach (var cluster in await session.Eks.ListClustersAsync(cancellationToken))
            {
                var described = await session.Eks.DescribeClusterAsync(cluster, cancellationToken);
                summaries.Add(new JsonObject
                {
                    ["Name"] = cluster,
                    ["Region"] = region,
                    ["Owned"] = described?["tags"]?[ClusterRoles.ClusterTag] is null ? "False" : "True",
                });
            }
            return await PrintAsync(parseResult, output, ["NAME", "REGION", "EKSCTL CREATED"], summaries, c => [Text(c, "Name"), Text(c, "Region"), Text(c, "Owned")]);
        });
        return command;
    }

    private static Command Nodegroup()
    {
        var cluster = ClusterCommandLine.Cluster();
        var name = new Option<string?>("--name", "-n") { Description = "Only this node group." };
        var output = ClusterCommandLine.Output();
        var command = new Command("nodegroup", "List a cluster's node groups.") { cluster, name, output };
        command.Aliases.Add("nodegroups");
        command.Aliases.Add("ng");
        ClusterCommandLine.SetAction(command, async (parseResult, session, cancellationToken) =>
        {
            var clusterName = parseResult.GetValue(cluster)!;
            await CreatePartCommands.ActiveClusterAsync(session, clusterName, cancellationToken);
            var names = parseResult.GetValue(name) is { } one ? [one] : await session.Eks.ListNodegroupsAsync(clusterName, cancellationToken);
            var groups = new List<JsonObject>();
            foreach (var group in names)
            {
                groups.Add(await session.Eks.DescribeNodegroupAsync(clusterName, group, cancellationToken)
                    ?? throw new ClusterCommandException($"no node group named \"{group}\" in cluster \"{clusterName}\""));
            }
            return await PrintAsync(parseResult, output,
                ["CLUSTER", "NODEGROUP", "STATUS", "CREATED", "MIN SIZE", "MAX SIZE", "DESIRED CAPACITY", "INSTANCE TYPE", "IMAGE ID", "ASG NAME", "TYPE"], groups, g =>
                [clusterName, Text(g, "nodegroupName"), Text(g, "status"), Created(g), Number(g["scalingConfig"]?["minSize"]),
                 Number(g["scalingConfig"]?["maxSize"]), Number(g["scalingConfig"]?["desiredSize"]),
                 string.Join(",", (g["instanceTypes"] as JsonArray ?? []).Select(t => t?.GetValue<string>())), Text(g, "amiType"),
                 g["resources"]?["autoScalingGroups"]?[0]?["name"]?.GetValue<string>() ?? "", "managed"]);
        });
        return command;
    }

    private static Command FargateProfile()
    {
        var cluster = ClusterCommandLine.Cluster();
        var name = new Option<string?>("--name", "-n") { Description = "Only this Fargate profile." };
        var output = ClusterCommandLine.Output();
        var command = new Command("fargateprofile", "List a cluster's Fargate profiles.") { cluster, name, output };
        command.Aliases.Add("fargateprofiles");
        ClusterCommandLine.SetAction(command, async (parseResult, session, cancellationToken) =>
        {
            var clusterName = parseResult.GetValue(cluster)!;
            await CreatePartCommands.ActiveClusterAsync(session, clusterName, cancellationToken);
            var names = parseResult.GetValue(name) is { } one ? [one] : await session.Eks.ListFargateProfilesAsync(clusterName, cancellationToken);
            var profiles = new List<JsonObject>();
            foreach (var profile in names)
            {
                profiles.Add(await session.Eks.DescribeFargateProfileAsync(clusterName, profile, cancellationToken)
                    ?? throw new ClusterCommandException($"no Fargate profile named \"{profile}\" in cluster \"{clusterName}\""));
            }
            return await PrintAsync(parseResult, output, ["NAME", "SELECTOR_NAMESPACE", "SELECTOR_LABELS", "POD_EXECUTION_ROLE_ARN", "SUBNETS", "TAGS", "STATUS"], profiles, p =>
            {
                var selectors = p["selectors"] as JsonArray ?? [];
                return [Text(p, "fargateProfileName"), string.Join(",", selectors.Select(s => s?["namespace"]?.GetValue<string>())),
                    string.Join(",", selectors.SelectMany(s => (s?["labels"] as JsonObject ?? []).Select(l => $"{l.Key}={l.Value}"))) is { Length: > 0 } l ? l : "<none>",
                    Text(p, "podExecutionRoleArn"), string.Join(",", (p["subnets"] as JsonArray ?? []).Select(s => s?.GetValue<string>())) is { Length: > 0 } s ? s : "<none>",
                    string.Join(",", (p["tags"] as JsonObject ?? []).Select(t => $"{t.Key}={t.Value}")), Text(p, "status")];
            });
        });
        return command;
    }

    private static Command IamServiceAccount()
    {
        var cluster = ClusterCommandLine.Cluster();
        var ns = new Option<string?>("--namespace") { Description = "Only this namespace." };
        var output = ClusterCommandLine.Output();
        var command = new Command("iamserviceaccount", "List a cluster's service accounts that have an IAM role.") { cluster, ns, output };
        command.Aliases.Add("iamserviceaccounts");
        ClusterCommandLine.SetAction(command, async (parseResult, session, cancellationToken) =>
        {
            var described = await CreatePartCommands.ActiveClusterAsync(session, parseResult.GetValue(cluster)!, cancellationToken);
            using var kube = ClusterApi.Connect(described, session.EksSettings, session.Time.GetUtcNow());
            var list = parseResult.GetValue(ns) is { } one
                ? await kube.CoreV1.ListNamespacedServiceAccountAsync(one, cancellationToken: cancellationToken)
                : await kube.CoreV1.ListServiceAccountForAllNamespacesAsync(cancellationToken: cancellationToken);
            var accounts = list.Items.Where(a => a.Metadata.Annotations?.ContainsKey(ServiceAccountCreator.RoleAnnotation) == true)
                .Select(a => new JsonObject
                {
                    ["metadata"] = new JsonObject { ["name"] = a.Metadata.Name, ["namespace"] = a.Metadata.NamespaceProperty },
                    ["status"] = new JsonObject { ["roleARN"] = a.Metadata.Annotations[ServiceAccountCreator.RoleAnnotation] },
                }).ToList();
            return await PrintAsync(parseResult, output, ["NAMESPACE", "NAME", "ROLE ARN"], accounts, a =>
                [a["metadata"]!["namespace"]!.GetValue<string>(), a["metadata"]!["name"]!.GetValue<string>(), a["status"]!["roleARN"]!.GetValue<string>()]);
        });
        return command;
    }

    private static Command Addon()
    {
        var cluster = ClusterCommandLine.Cluster();
        var name = new Option<string?>("--name") { Description = "Only this add-on." };
        var output = ClusterCommandLine.Output();
        var command = new Command("addon", "List a cluster's add-ons.") { cluster, name, output };
        command.Aliases.Add("addons");
        ClusterCommandLine.SetAction(command, async (parseResult, session, cancellationToken) =>
        {
            var clusterName = parseResult.GetValue(cluster)!;
            await CreatePartCommands.ActiveClusterAsync(session, clusterName, cancellationToken);
            var names = parseResult.GetValue(name) is { } one ? [one] : await session.Eks.ListAddonsAsync(clusterName, cancellationToken);
            var addons = new List<JsonObject>();
            foreach (var addon in names)
            {
                addons.Add(await session.Eks.DescribeAddonAsync(clusterName, addon, cancellationToken)
                    ?? throw new ClusterCommandException($"no add-on named \"{addon}\" in cluster \"{clusterName}\""));
            }
            return await PrintAsync(parseResult, output, ["NAME", "VERSION", "STATUS", "ISSUES", "IAMROLE", "UPDATE AVAILABLE", "CONFIGURATION VALUES"], addons, a =>
                [Text(a, "addonName"), Text(a, "addonVersion"), Text(a, "status"), Number((a["health"]?["issues"] as JsonArray)?.Count ?? 0),
                 Text(a, "serviceAccountRoleArn"), "", Text(a, "configurationValues")]);
        });
        return command;
    }

    private static async Task<int> PrintAsync(ParseResult parseResult, Option<string> output, string[] columns, List<JsonObject> records, Func<JsonObject, IReadOnlyList<string>> row)
    {
        if (records.Count == 0 && parseResult.GetValue(output) == "table")
        {
            await parseResult.InvocationConfiguration.Error.WriteLineAsync("No resources found");
            return ClusterCommandLine.Ok;
        }
        await parseResult.InvocationConfiguration.Output.WriteAsync(ResultPrinter.Render(parseResult.GetValue(output)!, columns, records, row));
        return ClusterCommandLine.Ok;
    }

    private static string Text(JsonObject record, string member) => record[member] switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        JsonValue value => value.ToJsonString(),
        _ => "",
    };

    /// <summary>EKS gives times as seconds since the epoch; eksctl prints them in UTC.</summary>
    private static string Created(JsonObject record) => record["createdAt"] is JsonValue value && value.TryGetValue<double>(out var seconds)
        ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
        : Text(record, "createdAt");

    private static string Joined(JsonNode? list) =>
        list is JsonArray { Count: > 0 } items ? string.Join(",", items.Select(i => i?.GetValue<string>()).Order(StringComparer.Ordinal)) : "-";

    private static string Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<int>(out var number) ? number.ToString(CultureInfo.InvariantCulture) : "";

    private static string Number(int number) => number.ToString(CultureInfo.InvariantCulture);
}
