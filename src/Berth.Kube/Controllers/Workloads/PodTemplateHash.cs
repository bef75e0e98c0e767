using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Kube.Controllers.Workloads;

/// <summary>
/// The <c>pod-template-hash</c> that names a Deployment's ReplicaSets and labels their pods: FNV-1a (32 bit) of the
/// pod template, with the Deployment's collision count when it has one, written in the consonants and digits
/// Kubernetes uses for generated names so that it never spells a word. The template is hashed with its keys
/// sorted, so the same template applied with its fields in another order keeps its ReplicaSet.
/// </summary>
internal static class PodTemplateHash
{
    public const string Label = "pod-template-hash";

    private const string SafeCharacters = "bcdfghjklmnpqrstvwxz2456789";

    public static string Compute(JsonNode? template, long? collisionCount)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteSorted(writer, template);
        }
        var hash = Fnv1a(2166136261, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        if (collisionCount is { } count)
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)count);
            hash = Fnv1a(hash, bytes);
        }
        var digits = hash.ToString(CultureInfo.InvariantCulture);
        var safe = new StringBuilder(digits.Length);
        foreach (var digit in digits)
        {
            safe.Append(SafeCharacters[digit % SafeCharacters.Length]);
        }
        return safe.ToString();
    }

    /// <summary>Whether two templates are the same but for the hash label, as a ReplicaSet's and its Deployment's are.</summary>
    public static bool SameTemplate(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(WithoutHash(a), WithoutHash(b));

    private static JsonNode? WithoutHash(JsonNode? template)
    {
        if (template?["metadata"]?["labels"] is not JsonObject labels || !labels.ContainsKey(Label))
        {
            return template;
        }
        var copy = template.DeepClone();
        var copiedLabels = (JsonObject)copy["metadata"]!["labels"]!;
        copiedLabels.Remove(Label);
        if (copiedLabels.Count == 0)
        {
            ((JsonObject)copy["metadata"]!).Remove("labels");
        }
        return copy;
    }

    private static uint Fnv1a(uint hash, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 16777619;
        }
        return hash;
    }

    private static void WriteSorted(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (name, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(name);
                    WriteSorted(writer, value);
                }
                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    WriteSorted(writer, item);
                }
                writer.WriteEndArray();
                break;
            case null:
                writer.WriteNullValue();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
