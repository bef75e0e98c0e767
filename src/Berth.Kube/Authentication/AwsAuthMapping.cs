using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Clusters;
using Berth.Kube.Resources;
using YamlDotNet.RepresentationModel;

namespace Berth.Kube.Authentication;

/// <summary>
/// Who an AWS identity is in the cluster, as EKS decides it: first by its access entry (<see cref="IAccessEntries"/>);
/// then, when the cluster's authentication mode reads the ConfigMap, the cluster's creator (its record's admins; the account's
/// root user for the default cluster, which no one created through EKS) is <c>kubernetes-admin</c> in
/// <c>system:masters</c>; others are whom the <c>aws-auth</c> ConfigMap in
/// <c>kube-system</c> maps them to (<c>mapUsers</c> by user ARN, <c>mapRoles</c> by role ARN, with
/// <c>{{SessionName}}</c> and <c>{{AccountID}}</c> in user names; <c>mapAccounts</c> by account, named by their ARN).
/// An identity nothing maps is no one.
/// </summary>
internal sealed class AwsAuthMapping(ResourceHandler objects, ResourceRegistry registry, ClusterScope scope, IEnumerable<IAccessEntries> accessEntries)
{
    public async Task<KubeUser?> MapAsync(string cluster, AwsIdentity identity, CancellationToken cancellationToken)
    {
        var configMapApplies = true;
        foreach (var entries in accessEntries)
        {
            var decision = await entries.ResolveAsync(cluster, identity, cancellationToken);
            if (decision.Access is { } access)
            {
                return new KubeUser(access.Username, [.. access.Groups, "system:authenticated"], access.Grants);
            }
            configMapApplies &= decision.ConfigMapApplies;
        }
        if (!configMapApplies)
        {
            return null;
        }
        var admins = scope.Record.Admins;
        if (admins.Count == 0 ? identity.Arn == $"arn:aws:iam::{identity.AccountId}:root" : admins.Contains(identity.CanonicalArn) || admins.Contains(identity.Arn))
        {
            return new KubeUser("kubernetes-admin", [Authorization.RbacAuthorizer.MastersGroup, "system:authenticated"]);
        }
        var configMaps = registry.Find("", "v1", "configmaps")!;
        if (await objects.GetObjectAsync(cluster, configMaps, "kube-system", "aws-auth", cancellationToken) is not { } awsAuth
            || awsAuth["data"] is not JsonObject data)
        {
            return null;
        }
        foreach (var (member, arnKey) in new[] { ("mapUsers", "userarn"), ("mapRoles", "rolearn") })
        {
            foreach (var entry in Entries(data[member]?.GetValue<string>()))
            {
                if (entry.TryGetValue(arnKey, out var arn) && arn is YamlScalarNode { Value: { } value } && value == identity.CanonicalArn)
                {
                    var name = entry.TryGetValue("username", out var username) && username is YamlScalarNode { Value: { Length: > 0 } template }
                        ? template.Replace("{{SessionName}}", identity.SessionName ?? "", StringComparison.Ordinal)
                            .Replace("{{AccountID}}", identity.AccountId, StringComparison.Ordinal)
                        : identity.CanonicalArn;
                    var groups = entry.TryGetValue("groups", out var list) && list is YamlSequenceNode sequence
                        ? sequence.Children.OfType<YamlScalarNode>().Select(g => g.Value!).ToList()
                        : [];
                    return new KubeUser(name, [.. groups, "system:authenticated"]);
                }
            }
        }
        var accounts = Entries(data["mapAccounts"]?.GetValue<string>(), scalars: true);
        return accounts.Any(a => a.TryGetValue("", out var id) && id is YamlScalarNode { Value: { } account } && account == identity.AccountId)
            ? new KubeUser(identity.Arn, ["system:authenticated"])
            : null;
    }

    /// <summary>The entries of one of the ConfigMap's YAML lists; malformed YAML maps no one.</summary>
    private static List<Dictionary<string, YamlNode>> Entries(string? yaml, bool scalars = false)
    {
        if (string.IsNullOrWhiteSpace(yaml))
        {
            return [];
        }
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return [];
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlSequenceNode sequence)
        {
            return [];
        }
        return sequence.Children.Select(node => node switch
        {
            YamlMappingNode mapping => mapping.Children.Where(c => c.Key is YamlScalarNode).ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => c.Value),
            YamlScalarNode scalar when scalars => new Dictionary<string, YamlNode> { [""] = scalar },
            _ => [],
        }).ToList();
    }
}
