using System.Text.Json.Nodes;
using Berth.Kube.Scheduling;

namespace Berth.Kube.Tests.Scheduling;

/// <summary>Nodes and pods for scheduling tests, written as little JSON as each test needs.</summary>
internal static class Cluster
{
    public static NodeInfo Node(string name, string labels = "{}", string cpu = "4", string extra = "")
    {
        var info = new NodeInfo(name);
        var node = JsonNode.Parse("""{"metadata":{"name":"NAME","labels":LABELS},"status":{"allocatable":{"cpu":"CPU","memory":"8Gi","pods":"110"}EXTRA}}"""
            .Replace("NAME", name).Replace("LABELS", labels).Replace("CPU", cpu).Replace("EXTRA", extra))!.AsObject();
        ((JsonObject)node["metadata"]!["labels"]!)["kubernetes.io/hostname"] = name;
        info.SetNode(node);
        return info;
    }

    public static JsonObject Pod(string name, string labels = "{}", string spec = "{}", string ns = "default", int priority = 0, string cpu = "0")
    {
        var pod = JsonNode.Parse("""{"metadata":{"name":"NAME","namespace":"NS","uid":"uid-NAME","labels":LABELS},"spec":SPEC}"""
            .Replace("NAME", name).Replace("NS", ns).Replace("LABELS", labels).Replace("SPEC", spec))!.AsObject();
        var podSpec = (JsonObject)pod["spec"]!;
        podSpec["priority"] = priority;
        podSpec["containers"] ??= new JsonArray(new JsonObject
        {
            ["name"] = "app",
            ["image"] = "app:1",
            ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = cpu } },
        });
        return pod;
    }

    /// <summary>Places <paramref name="pod"/> on <paramref name="node"/>, as a bound pod.</summary>
    public static NodeInfo With(this NodeInfo node, JsonObject pod)
    {
        node.AddPod($"{pod["metadata"]!["namespace"]}/{pod["metadata"]!["name"]}", PodDemand.Of(pod));
        return node;
    }

    public static CycleState State(JsonObject pod, params NodeInfo[] nodes) => CycleState.Prepare(pod, PodDemand.Of(pod), new ClusterView(nodes));

    /// <summary>Every node's filter reasons, joined: "" for a node that fits.</summary>
    public static string[] Verdicts(JsonObject pod, params NodeInfo[] nodes)
    {
        var state = State(pod, nodes);
        return [.. nodes.Select(n => string.Join(", ", NodeFilters.Check(state, n).Reasons))];
    }
}
