using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Scheduling;

/// <summary>A pod's inter-pod affinity and anti-affinity terms, required and preferred, parsed once.</summary>
internal sealed record PodAffinity(
    IReadOnlyList<AffinityTerm> Required,
    IReadOnlyList<AffinityTerm> RequiredAnti,
    IReadOnlyList<AffinityTerm> Preferred,
    IReadOnlyList<AffinityTerm> PreferredAnti)
{
    public static PodAffinity None { get; } = new([], [], [], []);

    public bool IsEmpty => Required.Count == 0 && RequiredAnti.Count == 0 && Preferred.Count == 0 && PreferredAnti.Count == 0;

    public static PodAffinity Of(JsonNode? affinity, string ns, JsonObject? labels)
    {
        if (affinity?["podAffinity"] is null && affinity?["podAntiAffinity"] is null)
        {
            return None;
        }
        List<AffinityTerm> Required(JsonNode? terms) =>
            [.. (terms?["requiredDuringSchedulingIgnoredDuringExecution"] as JsonArray ?? []).OfType<JsonObject>().Select(t => AffinityTerm.Of(t, ns, labels, 1))];
        List<AffinityTerm> Preferred(JsonNode? terms) =>
            [.. (terms?["preferredDuringSchedulingIgnoredDuringExecution"] as JsonArray ?? []).OfType<JsonObject>()
                .Where(w => w["podAffinityTerm"] is JsonObject)
                .Select(w => AffinityTerm.Of((JsonObject)w["podAffinityTerm"]!, ns, labels, (int)(w["weight"].AsLong() ?? 0)))];
        var result = new PodAffinity(Required(affinity["podAffinity"]), Required(affinity["podAntiAffinity"]),
            Preferred(affinity["podAffinity"]), Preferred(affinity["podAntiAffinity"]));
        return result.IsEmpty ? None : result;
    }
}
