using System.Text.Json.Nodes;

namespace Berth.Kube.Api;

/// <summary>The <c>status.conditions</c> that pods, nodes and most kinds keep, one per type.</summary>
internal static class ObjectConditions
{
    /// <summary>The condition of <paramref name="type"/> in the object's <c>status.conditions</c>, or null.</summary>
    public static JsonObject? Find(JsonNode? obj, string type) =>
        (obj?["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => c["type"].AsText() == type);
}
