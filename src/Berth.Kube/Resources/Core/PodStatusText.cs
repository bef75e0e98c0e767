using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Core;

/// <summary>
/// The STATUS column of <c>kubectl get pods</c>: the pod's reason or phase, overridden by what its containers
/// say (init progress, waiting and terminated reasons), and "Terminating" once it is being deleted.
/// </summary>
internal static class PodStatusText
{
    public static string Of(JsonObject pod)
    {
        var status = pod["status"];
        var text = status?["reason"].AsText() ?? status?["phase"].AsText() ?? "Unknown";

        var inits = (status?["initContainerStatuses"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var initCount = (pod["spec"]?["initContainers"] as JsonArray)?.Count ?? 0;
        for (var i = 0; i < inits.Count; i++)
        {
            var state = inits[i]["state"];
            if (state?["terminated"] is { } terminated && terminated["exitCode"].AsLong() == 0)
            {
                continue;
            }
            text = state?["terminated"] is { } failed
                ? $"Init:{failed["reason"].AsText() ?? $"ExitCode:{failed["exitCode"].AsLong() ?? 0}"}"
                : state?["waiting"]?["reason"].AsText() is { } waiting && waiting != "PodInitializing"
                    ? $"Init:{waiting}"
                    : $"Init:{i}/{initCount}";
            return Terminating(pod, text);
        }

        foreach (var container in (status?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>().Reverse())
        {
            var state = container["state"];
            if (state?["waiting"]?["reason"].AsText() is { } waiting)
            {
                text = waiting;
            }
            else if (state?["terminated"] is { } terminated)
            {
                text = terminated["reason"].AsText() ?? $"ExitCode:{terminated["exitCode"].AsLong() ?? 0}";
            }
        }
        return Terminating(pod, text);
    }

    private static string Terminating(JsonObject pod, string text) =>
        pod["metadata"]?["deletionTimestamp"] is not null && text != "Completed" ? "Terminating" : text;
}
