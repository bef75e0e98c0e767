using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Kube.Api;

/// <summary>
/// The types of the fields every object shares, checked before anything reads them: a wrong type is the
/// 400 that kube-apiserver's decoder gives, not a crash further on.
/// </summary>
internal static class ObjectShape
{
    private static readonly string[] s_stringFields = ["name", "generateName", "namespace", "uid", "resourceVersion", "creationTimestamp"];

    public static void Check(JsonObject obj)
    {
        foreach (var field in new[] { "apiVersion", "kind" })
        {
            RequireString(obj[field], field, "Object");
        }
        if (obj["metadata"] is null)
        {
            return;
        }
        if (obj["metadata"] is not JsonObject metadata)
        {
            throw Mismatch("metadata", "object", "Object");
        }
        foreach (var field in s_stringFields)
        {
            RequireString(metadata[field], $"metadata.{field}", "ObjectMeta");
        }
        if (metadata["finalizers"] is { } finalizers
            && (finalizers is not JsonArray list || list.Any(f => f?.GetValueKind() != JsonValueKind.String)))
        {
            throw Mismatch("metadata.finalizers", "[]string", "ObjectMeta");
        }
        if (metadata["ownerReferences"] is { } owners
            && (owners is not JsonArray references || references.Any(r => r is not JsonObject)))
        {
            throw Mismatch("metadata.ownerReferences", "[]OwnerReference", "ObjectMeta");
        }
        foreach (var map in new[] { "labels", "annotations" })
        {
            if (metadata[map] is null)
            {
                continue;
            }
            if (metadata[map] is not JsonObject entries)
            {
                throw Mismatch($"metadata.{map}", "map[string]string", "ObjectMeta");
            }
            foreach (var (key, value) in entries)
            {
                RequireString(value, $"metadata.{map}.{key}", "ObjectMeta");
            }
        }
    }

    private static void RequireString(JsonNode? node, string field, string type)
    {
        if (node is not null && node.GetValueKind() != JsonValueKind.String)
        {
            throw Mismatch(field, "string", type);
        }
    }

    private static KubeApiException Mismatch(string field, string expected, string type) =>
        KubeApiException.BadRequest($"json: cannot unmarshal into Go struct field {type}.{field} of type {expected}");
}
