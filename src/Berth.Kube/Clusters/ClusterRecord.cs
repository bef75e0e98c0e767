using System.Text.Json.Nodes;

namespace Berth.Kube.Clusters;

/// <summary>Where a served cluster is in its life: made and not yet serving, serving, or being taken down.</summary>
public enum ClusterPhase
{
    Provisioning,
    Active,
    Deleting,
}

/// <summary>
/// A Kubernetes cluster the server serves at <c>/clusters/{Name}</c>: the control plane's own record, which whatever
/// asked for the cluster (EKS's CreateCluster, or the server for its default cluster) writes, and the cluster host
/// reconciles. <see cref="Admins"/> are the AWS identities (ARNs) that are the cluster's administrators, as EKS makes
/// a cluster's creator; none means the account's root, as for the default cluster no one created through EKS.
/// <see cref="PodCidr"/> is the cluster's /16 of the pod pool (<see cref="ClusterNetwork"/>); records from before pods
/// had one get it when next served.
/// </summary>
public sealed record ClusterRecord(string Name, string Uid, DateTimeOffset CreationTimestamp, IReadOnlyList<string> Admins, ClusterPhase Phase,
    string? PodCidr = null)
{
    /// <summary>Where cluster records live in the store.</summary>
    public const string Prefix = "/clusters/";

    public static string Key(string name) => Prefix + name;

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["name"] = Name,
            ["uid"] = Uid,
            ["creationTimestamp"] = CreationTimestamp.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["admins"] = new JsonArray([.. Admins.Select(a => (JsonNode)a)]),
            ["phase"] = Phase.ToString(),
        };
        if (PodCidr is not null)
        {
            json["podCIDR"] = PodCidr;
        }
        return json;
    }

    public static ClusterRecord FromJson(JsonObject json) => new(
        json["name"]!.GetValue<string>(),
        json["uid"]!.GetValue<string>(),
        DateTimeOffset.Parse(json["creationTimestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
        [.. (json["admins"] as JsonArray ?? []).Select(a => a!.GetValue<string>())],
        Enum.Parse<ClusterPhase>(json["phase"]!.GetValue<string>()),
        json["podCIDR"]?.GetValue<string>());
}
