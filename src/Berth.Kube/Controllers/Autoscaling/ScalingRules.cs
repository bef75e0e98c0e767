using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Controllers.Autoscaling;

/// <summary>One direction of an autoscaler's <c>behavior</c>: its stabilization window, how it picks among its policies, and the policies.</summary>
internal sealed record ScalingRules(int StabilizationWindowSeconds, string SelectPolicy, IReadOnlyList<ScalingPolicy> Policies)
{
    /// <summary>Kubernetes' defaults: up at once, by 100% or 4 pods each 15 s, whichever is more.</summary>
    public static readonly ScalingRules DefaultUp = new(0, "Max", [new("Pods", 4, 15), new("Percent", 100, 15)]);

    /// <summary>Kubernetes' defaults: down after 5 minutes of lower recommendations, by up to 100% each 15 s.</summary>
    public static readonly ScalingRules DefaultDown = new(300, "Max", [new("Percent", 100, 15)]);

    public int LongestPeriodSeconds => Policies.Count == 0 ? 0 : Policies.Max(p => p.PeriodSeconds);

    /// <summary>The rules of <paramref name="given"/>, what it leaves out taken from <paramref name="defaults"/>.</summary>
    public static ScalingRules From(JsonNode? given, ScalingRules defaults) => given is not JsonObject rules ? defaults : new(
        (int?)rules["stabilizationWindowSeconds"].AsLong() ?? defaults.StabilizationWindowSeconds,
        rules["selectPolicy"].AsText() ?? defaults.SelectPolicy,
        rules["policies"] is JsonArray policies
            ? [.. policies.OfType<JsonObject>().Select(p => new ScalingPolicy(p["type"].AsText() ?? "", (int)(p["value"].AsLong() ?? 0), (int)(p["periodSeconds"].AsLong() ?? 0)))]
            : defaults.Policies);
}

/// <summary>How much one policy lets the count change within <paramref name="PeriodSeconds"/>: <c>Pods</c> or <c>Percent</c>.</summary>
internal sealed record ScalingPolicy(string Type, int Value, int PeriodSeconds);
