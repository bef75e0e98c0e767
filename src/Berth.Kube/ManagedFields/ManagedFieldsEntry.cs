using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.ManagedFields;

/// <summary>One entry of <c>metadata.managedFields</c>: the fields one manager owns through one kind of operation.</summary>
internal sealed record ManagedFieldsEntry(string Manager, string Operation, string ApiVersion, string? Time, string? Subresource, FieldSet Fields)
{
    public const string Apply = "Apply";
    public const string Update = "Update";

    /// <summary>
    /// Entries of the same manager, operation and subresource are one owner; an Update owner is one per API
    /// version too, while a manager's applied configuration is one whatever version it was applied in.
    /// </summary>
    public bool SameOwner(string manager, string operation, string apiVersion, string? subresource) =>
        Manager == manager && Operation == operation && Subresource == subresource && (operation == Apply || ApiVersion == apiVersion);

    /// <summary>How conflicts name the owner: <c>"kubectl" with subresource "scale" using apps/v1</c>.</summary>
    public string Describe() =>
        $"\"{Manager}\"" + (Subresource is { } s ? $" with subresource \"{s}\"" : "") + (Operation == Update ? $" using {ApiVersion}" : "");

    /// <summary>The entries recorded in an object; null when they cannot be read (then they are recomputed from none).</summary>
    public static List<ManagedFieldsEntry>? Read(JsonObject obj)
    {
        if (obj["metadata"]?["managedFields"] is not JsonArray entries)
        {
            return [];
        }
        var result = new List<ManagedFieldsEntry>();
        foreach (var node in entries)
        {
            if (node is not JsonObject entry || entry["manager"].AsText() is not { } manager
                || entry["operation"].AsText() is not (Apply or Update) || entry["fieldsType"].AsText() is not (null or "FieldsV1")
                || FieldSet.FromFieldsV1(entry["fieldsV1"] ?? new JsonObject()) is not { } fields)
            {
                return null;
            }
            result.Add(new ManagedFieldsEntry(manager, entry["operation"]!.GetValue<string>(), entry["apiVersion"].AsText() ?? "",
                entry["time"].AsText(), entry["subresource"].AsText() is { Length: > 0 } sub ? sub : null, fields));
        }
        return result;
    }

    /// <summary>Writes the entries into the object in Kubernetes' order (appliers first, then oldest first), leaving out owners of nothing.</summary>
    public static void Write(JsonObject obj, IEnumerable<ManagedFieldsEntry> entries)
    {
        var metadata = (JsonObject)obj["metadata"]!;
        var kept = entries.Where(e => !e.Fields.IsEmpty)
            .OrderBy(e => e.Operation, StringComparer.Ordinal).ThenBy(e => e.Time, StringComparer.Ordinal)
            .ThenBy(e => e.Manager, StringComparer.Ordinal).ThenBy(e => e.ApiVersion, StringComparer.Ordinal)
            .ThenBy(e => e.Subresource, StringComparer.Ordinal)
            .Select(e => e.ToJson()).ToArray();
        metadata.Remove("managedFields");
        if (kept.Length > 0)
        {
            metadata["managedFields"] = new JsonArray(kept);
        }
    }

    private JsonObject ToJson()
    {
        var entry = new JsonObject
        {
            ["manager"] = Manager,
            ["operation"] = Operation,
            ["apiVersion"] = ApiVersion,
        };
        if (Time is not null)
        {
            entry["time"] = Time;
        }
        entry["fieldsType"] = "FieldsV1";
        entry["fieldsV1"] = Fields.ToFieldsV1();
        if (Subresource is not null)
        {
            entry["subresource"] = Subresource;
        }
        return entry;
    }

    public static string Timestamp(DateTimeOffset at) => KubeTime.Format(at);
}
