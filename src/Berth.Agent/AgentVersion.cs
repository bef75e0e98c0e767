namespace Berth.Agent;

/// <summary>The versions the agent reports: it stands in for the kubelet of the Kubernetes release Berth serves.</summary>
internal static class AgentVersion
{
    public const string Kubelet = "v1.32.0-berth";
}
