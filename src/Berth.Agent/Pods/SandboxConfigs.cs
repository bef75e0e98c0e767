using Berth.Agent.Runtime;
using k8s.Models;

namespace Berth.Agent.Pods;

/// <summary>What a pod's sandbox is made with: its hostname, its place on the pod network, its resolv.conf.</summary>
internal static class SandboxConfigs
{
    /// <summary>The host's resolver settings, which pods on the host's DNS policy get and cluster-first pods search after the cluster's domains.</summary>
    private static readonly HostResolvConf s_hostResolvConf = HostResolvConf.Read();

    public static SandboxConfig For(V1Pod pod, int attempt, PodNetworkAttachment? attachment, AgentOptions options) =>
        new(pod.Metadata.Uid, pod.Metadata.NamespaceProperty, pod.Metadata.Name, attempt, Hostname(pod), attachment, PodDns.For(pod, options, s_hostResolvConf));

    /// <summary>The pod's hostname: <c>spec.hostname</c>, else its name, cut to a DNS label's 63 characters.</summary>
    private static string Hostname(V1Pod pod)
    {
        var name = string.IsNullOrEmpty(pod.Spec.Hostname) ? pod.Metadata.Name : pod.Spec.Hostname;
        return name.Length <= 63 ? name : name[..63].TrimEnd('-', '.');
    }
}
