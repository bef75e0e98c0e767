using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Resources;

namespace Berth.Kube.ManagedFields;

/// <summary>
/// Who writes an object, as <c>managedFields</c> records it: a manager, the subresource written through, and whether
/// the write is a server-side apply (whose fields are recorded by the apply itself) or any other update.
/// </summary>
internal sealed record FieldOwner(string Manager, string? Subresource = null, bool Applies = false)
{
    public const int MaxManagerLength = 128;

    /// <summary>The controllers that run inside the server.</summary>
    public static readonly FieldOwner ControllerManager = new("berth-controller-manager");

    /// <summary>The scheduler, for the conditions it writes on pods it cannot place.</summary>
    public static readonly FieldOwner Scheduler = new("berth-scheduler");

    /// <summary>The API server itself, for the objects it makes at start and the status of what it serves.</summary>
    public static readonly FieldOwner ApiServer = new("berth-apiserver");

    /// <summary>
    /// The writer of a request: the <c>fieldManager</c> it names, or else the product part of its user agent
    /// (<c>kubectl</c>, <c>python-requests</c>), as kube-apiserver defaults it. An apply must name its manager.
    /// </summary>
    public static FieldOwner FromRequest(Microsoft.AspNetCore.Http.HttpContext context, string? subresource, string optionsKind, bool apply)
    {
        var given = context.Request.Query["fieldManager"].ToString();
        var errors = new List<FieldError>();
        if (given.Length == 0 && apply)
        {
            errors.Add(new FieldError("fieldManager", "FieldValueRequired", "Required value: is required for apply patch"));
        }
        if (given.Length > MaxManagerLength)
        {
            errors.Add(new FieldError("fieldManager", "FieldValueTooLong", $"Too long: may not be more than {MaxManagerLength} bytes"));
        }
        var position = 0;
        foreach (var rune in given.EnumerateRunes())
        {
            if (!IsPrintable(rune))
            {
                errors.Add(new FieldError("fieldManager", "FieldValueInvalid",
                    $"Invalid value: \"{given}\": invalid character U+{rune.Value:X4} (at position {position.ToString(CultureInfo.InvariantCulture)})"));
            }
            position += rune.Utf8SequenceLength;
        }
        if (!apply && optionsKind == "PatchOptions" && context.Request.Query.ContainsKey("force"))
        {
            errors.Add(new FieldError("force", "FieldValueForbidden", "Forbidden: may not be specified for non-apply patch"));
        }
        if (errors.Count > 0)
        {
            throw KubeApiException.Invalid(optionsKind, "meta.k8s.io", "", errors);
        }
        if (given.Length > 0)
        {
            return new FieldOwner(given, subresource, apply);
        }
        var product = context.Request.Headers.UserAgent.ToString().Split('/')[0];
        return new FieldOwner(product.Length > MaxManagerLength ? product[..MaxManagerLength] : product, subresource, apply);
    }

    private static bool IsPrintable(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator)
        && (rune.Value == ' ' || !Rune.IsWhiteSpace(rune));
}

/// <summary>
/// Keeps <c>metadata.managedFields</c>, as kube-apiserver's field manager does: every write records which fields
/// its manager set, and server-side apply merges a manager's configuration into the object, takes out what the
/// manager applied before and no longer does, and refuses to change fields others own unless forced.
/// </summary>
internal static class FieldManager
{
    /// <summary>
    /// Records a write other than an apply in <paramref name="updated"/>: its manager now owns the fields the
    /// write added or changed, which other managers no longer own, and nobody owns the fields it removed.
    /// </summary>
    public static void RecordUpdate(ResourceType type, JsonObject? old, JsonObject updated, FieldOwner owner, DateTimeOffset now)
    {
        if (owner.Applies)
        {
            return; // the apply recorded its fields when it merged them
        }
        List<ManagedFieldsEntry> entries;
        if (IsReset(updated))
        {
            // A managedFields of one empty entry clears them, as Kubernetes documents; the write's own changes are
            // then its manager's alone.
            entries = [];
        }
        else
        {
            var live = old is null ? [] : ManagedFieldsEntry.Read(old) ?? [];
            var given = ManagedFieldsEntry.Read(updated);
            var givenChanged = given is { Count: > 0 } && !JsonNode.DeepEquals(updated["metadata"]?["managedFields"], old?["metadata"]?["managedFields"]);
            entries = givenChanged ? given! : live;
        }
        var (changed, removed) = new ObjectFields(new FieldSemantics(type)).Compare(old, updated, owner.Subresource);
        var result = new List<ManagedFieldsEntry>();
        ManagedFieldsEntry? own = null;
        foreach (var entry in entries)
        {
            if (entry.SameOwner(owner.Manager, ManagedFieldsEntry.Update, type.ApiVersion, owner.Subresource))
            {
                own = entry;
                continue;
            }
            result.Add(entry with { Fields = FieldSet.Difference(FieldSet.Difference(entry.Fields, changed), removed) });
        }
        var fields = FieldSet.Difference(FieldSet.Union(own?.Fields ?? new FieldSet(), changed), removed);
        var touched = !changed.IsEmpty || !removed.IsEmpty || own is null || !fields.SetEquals(own.Fields);
        result.Add(new ManagedFieldsEntry(owner.Manager, ManagedFieldsEntry.Update, type.ApiVersion,
            touched ? ManagedFieldsEntry.Timestamp(now) : own!.Time, owner.Subresource, fields));
        ManagedFieldsEntry.Write(updated, CapUpdaters(result));
    }

    /// <summary>
    /// Server-side apply of <paramref name="config"/> by <paramref name="owner"/> to <paramref name="live"/> (null
    /// when the object does not exist yet): the object as the configuration makes it, its managedFields updated.
    /// Fields other managers own that it would change are conflicts, refused unless <paramref name="force"/>.
    /// </summary>
    public static JsonObject Apply(ResourceType type, JsonObject? live, JsonObject config, FieldOwner owner, bool force, DateTimeOffset now)
    {
        if (config["metadata"]?["managedFields"] is not null)
        {
            throw KubeApiException.BadRequest("metadata.managedFields must be nil");
        }
        DropNulls(config);
        var semantics = new FieldSemantics(type);
        var fields = new ObjectFields(semantics);
        var merge = new ApplyMerge(semantics);
        var entries = live is null ? [] : ManagedFieldsEntry.Read(live) ?? [];
        if (live is not null && live["metadata"]?["managedFields"] is null)
        {
            // An object nobody's fields are recorded for (stored before field management, or reset): what it holds
            // belongs to "before-first-apply", so that a first apply cannot silently take it over.
            var (existing, _) = fields.Compare(null, live, owner.Subresource);
            entries = [new ManagedFieldsEntry(BeforeFirstApply, ManagedFieldsEntry.Update, type.ApiVersion, ManagedFieldsEntry.Timestamp(now), null, existing)];
        }
        var own = entries.FirstOrDefault(e => e.SameOwner(owner.Manager, ManagedFieldsEntry.Apply, type.ApiVersion, owner.Subresource));
        var others = entries.Where(e => !ReferenceEquals(e, own)).ToList();
        var applied = fields.Specified(config, owner.Subresource);
        var merged = merge.Merge(live ?? [], config);
        if (own is not null)
        {
            var ownedByOthers = others.Aggregate(new FieldSet(), (all, e) => FieldSet.Union(all, e.Fields));
            merge.Remove(merged, FieldSet.Difference(own.Fields, applied), ownedByOthers);
        }
        var (changed, removed) = fields.Compare(live, merged, owner.Subresource);
        var conflicts = others.Select(e => (Owner: e, Fields: FieldSet.Intersection(e.Fields, changed))).Where(c => !c.Fields.IsEmpty).ToList();
        if (conflicts.Count > 0 && !force)
        {
            // kubectl taking over from its own client-side apply: those conflicts are its own, the rest stand
            var allowed = AllowedByLastApplied(fields, live, owner);
            var standing = allowed is null ? conflicts
                : [.. conflicts.Select(c => (c.Owner, Fields: FieldSet.Difference(c.Fields, allowed))).Where(c => !c.Fields.IsEmpty)];
            if (standing.Count > 0)
            {
                throw Conflict(standing);
            }
        }
        var result = others.Select(e => e with { Fields = FieldSet.Difference(FieldSet.Difference(e.Fields, changed), removed) }).ToList();
        var touched = own is null || !changed.IsEmpty || !removed.IsEmpty || !applied.SetEquals(own.Fields);
        result.Add(new ManagedFieldsEntry(owner.Manager, ManagedFieldsEntry.Apply, type.ApiVersion,
            touched ? ManagedFieldsEntry.Timestamp(now) : own!.Time, owner.Subresource, applied));
        if (merged["metadata"] is not JsonObject)
        {
            merged["metadata"] = new JsonObject();
        }
        if (owner.Manager == Kubectl && merged["metadata"]?["annotations"]?[LastAppliedAnnotation] is not null)
        {
            // kubectl's client-side apply reads this annotation: kept current, so that one may follow the other
            merged["metadata"]!["annotations"]![LastAppliedAnnotation] = LastApplied(config);
        }
        ManagedFieldsEntry.Write(merged, CapUpdaters(result));
        return merged;
    }

    /// <summary>How many Update owners an object keeps; older ones are merged into one, as Kubernetes caps them.</summary>
    private const int MaxUpdaters = 10;

    /// <summary>The owner the oldest Update owners are merged into once there are too many.</summary>
    private const string AncientChanges = "ancient-changes";

    /// <summary>
    /// Keeps at most ten Update owners: the oldest are merged into one <c>ancient-changes</c> owner, so that a client
    /// writing under ever new names (a user agent per build, say) cannot grow managedFields without bound.
    /// </summary>
    private static List<ManagedFieldsEntry> CapUpdaters(List<ManagedFieldsEntry> entries)
    {
        var updaters = entries.Where(e => e.Operation == ManagedFieldsEntry.Update && !e.Fields.IsEmpty)
            .OrderBy(e => e.Time, StringComparer.Ordinal).ThenBy(e => e.Manager, StringComparer.Ordinal).ToList();
        if (updaters.Count <= MaxUpdaters)
        {
            return entries;
        }
        var result = new List<ManagedFieldsEntry>(entries);
        // the oldest go into one bucket per API version, until no more than the cap are left
        foreach (var oldest in updaters)
        {
            if (result.Count(e => e.Operation == ManagedFieldsEntry.Update && !e.Fields.IsEmpty) <= MaxUpdaters)
            {
                break;
            }
            if (oldest.Manager == AncientChanges)
            {
                continue;
            }
            var bucket = result.FirstOrDefault(e => e.Manager == AncientChanges && e.Operation == ManagedFieldsEntry.Update && e.ApiVersion == oldest.ApiVersion);
            result.Remove(oldest);
            if (bucket is null)
            {
                // the first of its version stays as it is until a second one joins it
                bucket = oldest with { Manager = AncientChanges, Subresource = null };
                result.Add(bucket);
                continue;
            }
            result.Remove(bucket);
            result.Add(bucket with { Time = oldest.Time, Fields = FieldSet.Union(bucket.Fields, oldest.Fields) });
        }
        return result;
    }

    /// <summary>The owner of what an object held before anyone's fields were recorded, as Kubernetes names it.</summary>
    private const string BeforeFirstApply = "before-first-apply";

    /// <summary>The manager <c>kubectl apply --server-side</c> applies as.</summary>
    private const string Kubectl = "kubectl";

    private const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>
    /// kubectl moving an object from client-side to server-side apply: the fields its last client-side configuration
    /// (the <c>last-applied-configuration</c> annotation) set and nobody has changed since are its own to take over,
    /// as kube-apiserver's last-applied manager allows; null when there is no such configuration.
    /// </summary>
    private static FieldSet? AllowedByLastApplied(ObjectFields fields, JsonObject? live, FieldOwner owner)
    {
        if (owner.Manager != Kubectl || live?["metadata"]?["annotations"]?[LastAppliedAnnotation].AsText() is not { } text)
        {
            return null;
        }
        try
        {
            if (JsonNode.Parse(text) is not JsonObject lastApplied || lastApplied["apiVersion"].AsText() != live["apiVersion"].AsText())
            {
                return null;
            }
            var (drifted, gone) = fields.Compare(lastApplied, live, owner.Subresource);
            return FieldSet.Difference(FieldSet.Difference(fields.Specified(lastApplied, owner.Subresource), drifted), gone);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KubeApiException)
        {
            return null; // an annotation that cannot be read allows nothing
        }
    }

    /// <summary>The annotation's value for a configuration: the configuration as JSON, without the annotation itself.</summary>
    private static string LastApplied(JsonObject config)
    {
        var copy = (JsonObject)config.DeepClone();
        if (copy["metadata"]?["annotations"] is JsonObject annotations)
        {
            annotations.Remove(LastAppliedAnnotation);
            if (annotations.Count == 0)
            {
                ((JsonObject)copy["metadata"]!).Remove("annotations");
            }
        }
        return copy.ToJsonString(KubeResponse.SerializerOptions);
    }

    /// <summary>A null in a configuration leaves the field out: it is neither stored nor owned.</summary>
    private static void DropNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Where(p => p.Value is null).Select(p => p.Key).ToList())
                {
                    obj.Remove(name);
                }
                foreach (var (_, value) in obj)
                {
                    DropNulls(value);
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    DropNulls(item);
                }
                break;
        }
    }

    private static bool IsReset(JsonObject obj) =>
        obj["metadata"]?["managedFields"] is JsonArray { Count: 1 } entries && entries[0] is JsonObject { Count: 0 };

    /// <summary>The 409 kube-apiserver answers for conflicts, one cause per field, in its words.</summary>
    private static KubeApiException Conflict(List<(ManagedFieldsEntry Owner, FieldSet Fields)> conflicts)
    {
        var causes = new JsonArray();
        var lines = new List<string>();
        var fields = new List<string>();
        foreach (var (owner, set) in conflicts.OrderBy(c => c.Owner.Describe(), StringComparer.Ordinal))
        {
            lines.Add($"conflicts with {owner.Describe()}:");
            foreach (var path in set.Paths())
            {
                var field = FieldSet.Format(path);
                causes.Add(new JsonObject { ["reason"] = "FieldManagerConflict", ["message"] = $"conflict with {owner.Describe()}", ["field"] = field });
                lines.Add($"- {field}");
                fields.Add(field);
            }
        }
        var message = fields.Count == 1
            ? $"Apply failed with 1 conflict: conflict with {conflicts[0].Owner.Describe()}: {fields[0]}"
            : $"Apply failed with {fields.Count} conflicts: {string.Join("\n", lines)}";
        return new KubeApiException(409, "Conflict", message, new JsonObject { ["causes"] = causes });
    }
}
