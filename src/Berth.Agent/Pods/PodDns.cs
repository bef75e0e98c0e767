using Berth.Agent.Runtime;
using k8s.Models;

namespace Berth.Agent.Pods;

/// <summary>
/// A pod's <c>resolv.conf</c>, as the kubelet writes it from <c>dnsPolicy</c> and <c>dnsConfig</c>. ClusterFirst (the
/// default) gives the cluster DNS Service as nameserver, the search domains <c>&lt;ns&gt;.svc.&lt;domain&gt;</c>,
/// <c>svc.&lt;domain&gt;</c>, <c>&lt;domain&gt;</c> and then the host's, and <c>ndots:5</c>; a pod on the host's
/// network gets the host's file instead, unless its policy is ClusterFirstWithHostNet. Default is the host's file;
/// None is only what <c>dnsConfig</c> says, which every policy adds to: its nameservers and searches after the
/// policy's, its options over the policy's of the same name. At most three nameservers, as resolvers read no more.
/// </summary>
internal static class PodDns
{
    private const int MaxNameservers = 3;
    private const int MaxSearches = 32;

    /// <summary>The pod's DNS settings; null to leave the runtime's default (the host's file).</summary>
    public static PodDnsSettings? For(V1Pod pod, AgentOptions options, HostResolvConf host)
    {
        var policy = pod.Spec.DnsPolicy ?? "ClusterFirst";
        var cluster = policy == "ClusterFirstWithHostNet" || (policy == "ClusterFirst" && pod.Spec.HostNetwork != true);
        var config = pod.Spec.DnsConfig;
        if (!cluster && policy != "None" && config is null)
        {
            return null; // the host's file, as the runtime writes it
        }
        IReadOnlyList<string> nameservers = cluster ? [options.ClusterDns.ToString()] : policy == "None" ? [] : host.Nameservers;
        IReadOnlyList<string> searches = cluster
            ? [$"{pod.Metadata.NamespaceProperty}.svc.{options.ClusterDomain}", $"svc.{options.ClusterDomain}", options.ClusterDomain, .. host.Searches]
            : policy == "None" ? [] : host.Searches;
        IReadOnlyList<string> dnsOptions = cluster ? ["ndots:5"] : policy == "None" ? [] : host.Options;
        var mergedOptions = dnsOptions.ToDictionary(o => o.Split(':', 2)[0], o => o, StringComparer.Ordinal);
        foreach (var option in config?.Options ?? [])
        {
            mergedOptions[option.Name] = option.Value is null ? option.Name : $"{option.Name}:{option.Value}";
        }
        return new PodDnsSettings(
            [.. nameservers.Concat(config?.Nameservers ?? []).Distinct(StringComparer.Ordinal).Take(MaxNameservers)],
            [.. searches.Concat(config?.Searches ?? []).Distinct(StringComparer.Ordinal).Take(MaxSearches)],
            [.. mergedOptions.Values]);
    }
}

/// <summary>What the host's <c>/etc/resolv.conf</c> says, read when an agent starts.</summary>
internal sealed record HostResolvConf(IReadOnlyList<string> Nameservers, IReadOnlyList<string> Searches, IReadOnlyList<string> Options)
{
    public static HostResolvConf Read(string path = "/etc/resolv.conf")
    {
        if (!File.Exists(path))
        {
            return new HostResolvConf([], [], []);
        }
        var (nameservers, searches, options) = (new List<string>(), new List<string>(), new List<string>());
        foreach (var fields in File.ReadLines(path).Select(l => l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length >= 2))
        {
            switch (fields[0])
            {
                case "nameserver":
                    nameservers.Add(fields[1]);
                    break;
                case "search" or "domain":
                    searches.Clear(); // the last search or domain line wins, as the resolver reads them
                    searches.AddRange(fields.Skip(1));
                    break;
                case "options":
                    options.AddRange(fields.Skip(1));
                    break;
            }
        }
        return new HostResolvConf(nameservers, searches, options);
    }
}
