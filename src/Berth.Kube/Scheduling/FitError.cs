namespace Berth.Kube.Scheduling;

/// <summary>
/// Why no node fits a pod, in kube-scheduler's words: "0/3 nodes are available: 1 node(s) were unschedulable,
/// 2 Insufficient cpu." — each reason with the number of nodes that gave it, sorted as text. The cluster
/// autoscaler and users read this message, so its form is kept exactly. What preemption found is appended after
/// it, as kube-scheduler appends its PostFilter message ("... preemption: 0/3 nodes are available: ...").
/// </summary>
internal static class FitError
{
    public const string NoNodes = "no nodes available to schedule pods";

    public static string Message(int nodes, IEnumerable<string> reasons)
    {
        if (nodes == 0)
        {
            return NoNodes;
        }
        var counted = reasons.GroupBy(r => r, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}").Order(StringComparer.Ordinal);
        return $"0/{nodes} nodes are available: {string.Join(", ", counted)}.";
    }

    /// <summary>The message with preemption's own appended, when preemption has something to say.</summary>
    public static string WithPreemption(string message, string? preemption) =>
        preemption is { Length: > 0 } ? $"{message} preemption: {preemption}" : message;
}
