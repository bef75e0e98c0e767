using System.Text.Json.Nodes;
using Berth.Client.Config;

namespace Berth.Client.Clusters;

/// <summary>Fargate profiles, one after another as EKS takes them, with the pod execution role eksctl makes once per cluster.</summary>
public sealed class FargateProfileCreator(ClusterSession session)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(5);

    public async Task CreateAsync(JsonObject cluster, IReadOnlyList<FargateProfileConfig> profiles, string? roleArn, CancellationToken cancellationToken)
    {
        var name = cluster["name"]!.GetValue<string>();
        foreach (var profile in profiles)
        {
            var role = profile.PodExecutionRoleArn ?? roleArn;
            if (role is null)
            {
                var roleName = ClusterRoles.FargateRole(name);
                role = (await session.Iam.GetRoleAsync(roleName, cancellationToken))?.Arn
                    ?? await session.Iam.CreateRoleAsync(roleName, ClusterRoles.TrustingService("eks-fargate-pods.amazonaws.com"), ClusterRoles.Tags(name), cancellationToken);
            }
            var input = new JsonObject
            {
                ["fargateProfileName"] = profile.Name,
                ["podExecutionRoleArn"] = role,
                ["selectors"] = new JsonArray([.. profile.Selectors.Select(s => (JsonNode)new JsonObject
                {
                    ["namespace"] = s.Namespace,
                    ["labels"] = new JsonObject(s.Labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))),
                })]),
                ["tags"] = ClusterCreator.Tags(profile.Tags, name),
                ["clientRequestToken"] = Guid.NewGuid().ToString(),
            };
            if (cluster["resourcesVpcConfig"]?["subnetIds"] is JsonArray { Count: > 0 } subnets)
            {
                input["subnets"] = subnets.DeepClone();
            }
            session.Log.Info($"creating Fargate profile \"{profile.Name}\" on cluster \"{name}\"");
            await session.Eks.CreateFargateProfileAsync(name, input, cancellationToken);
            await session.WaitForAsync($"Fargate profile \"{profile.Name}\" to become ACTIVE", ct => session.Eks.DescribeFargateProfileAsync(name, profile.Name, ct),
                "ACTIVE", ["CREATE_FAILED"], s_timeout, cancellationToken);
            session.Log.Success($"created Fargate profile \"{profile.Name}\" on cluster \"{name}\"");
        }
    }
}
