using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Scheduling;

/// <summary>
/// kube-scheduler's ImageLocality score: nodes that already hold the pod's images score higher, by the images'
/// sizes scaled by the share of nodes holding each (an image everywhere says little), between 23 MB (0) and
/// 1000 MB per container (100).
/// </summary>
internal static class ImageLocalityScore
{
    private const long Mb = 1024 * 1024;
    private const long MinThreshold = 23 * Mb;
    private const long MaxContainerThreshold = 1000 * Mb;

    private static readonly string[] s_containerFields = ["initContainers", "containers"];

    public static long[] Score(CycleState state, IReadOnlyList<NodeInfo> nodes)
    {
        var images = Images(state.Pod);
        var scores = new long[nodes.Count];
        if (images.Count == 0 || state.Cluster.Nodes.Count == 0)
        {
            return scores;
        }
        var spread = images.Distinct(StringComparer.Ordinal)
            .ToDictionary(i => i, i => (double)state.Cluster.NodesWithImage(i) / state.Cluster.Nodes.Count, StringComparer.Ordinal);
        var maxThreshold = MaxContainerThreshold * images.Count;
        for (var n = 0; n < nodes.Count; n++)
        {
            if (nodes[n].Images.Count == 0)
            {
                continue;
            }
            long sum = 0;
            foreach (var image in images)
            {
                if (nodes[n].Images.TryGetValue(image, out var size))
                {
                    sum += (long)(size * spread[image]);
                }
            }
            sum = Math.Clamp(sum, MinThreshold, maxThreshold);
            scores[n] = 100 * (sum - MinThreshold) / (maxThreshold - MinThreshold);
        }
        return scores;
    }

    /// <summary>The images of the pod's init containers and containers, normalized, one per container.</summary>
    private static List<string> Images(JsonObject pod) =>
        [.. s_containerFields
            .SelectMany(field => pod["spec"]?[field] as JsonArray ?? [])
            .Select(c => c?["image"].AsText())
            .OfType<string>()
            .Select(ImageNames.Normalize)];
}
