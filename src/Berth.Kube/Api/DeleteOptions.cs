using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Api;

/// <summary>
/// How a delete is to be done: what becomes of the object's dependents (<c>propagationPolicy</c>), its grace
/// period, and preconditions on the object's uid and resourceVersion. From the query or a DeleteOptions body.
/// </summary>
internal sealed record DeleteOptions(string? PropagationPolicy, long? GracePeriodSeconds, string? PreconditionUid, string? PreconditionResourceVersion, bool DryRun)
{
    public const string Foreground = "Foreground";
    public const string Background = "Background";
    public const string Orphan = "Orphan";

    public static readonly DeleteOptions Default = new(null, null, null, null, false);

    /// <summary>Whether the request sent the old <c>orphanDependents: false</c>: the one case kube-apiserver answers 202.</summary>
    public bool OrphanDependentsFalse { get; init; }

    public static DeleteOptions Parse(IQueryCollection query, JsonObject? body)
    {
        var policy = Text(body?["propagationPolicy"]) ?? NullIfEmpty(query["propagationPolicy"]);
        var orphan = body?["orphanDependents"]?.AsBool() ?? QueryFlag.Parse(query["orphanDependents"]);
        if (policy is not null && orphan is not null)
        {
            throw Invalid("propagationPolicy", policy, "orphanDependents and deletionPropagation cannot be both set");
        }
        if (policy is not (null or Foreground or Background or Orphan))
        {
            throw Invalid("propagationPolicy", policy, "supported values: \"Foreground\", \"Background\", \"Orphan\", nil");
        }
        long? grace = body?["gracePeriodSeconds"]?.AsLong();
        if (grace is null && NullIfEmpty(query["gracePeriodSeconds"]) is { } text)
        {
            grace = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw KubeApiException.BadRequest($"gracePeriodSeconds: invalid value \"{text}\"");
        }
        if (grace < 0)
        {
            throw Invalid("gracePeriodSeconds", grace.Value.ToString(CultureInfo.InvariantCulture), "must be greater than or equal to 0");
        }
        var dryRun = query["dryRun"].Contains("All") || (body?["dryRun"] is JsonArray flags && flags.Any(f => f.AsText() == "All"));
        return new DeleteOptions(policy ?? (orphan is true ? Orphan : null), grace,
            Text(body?["preconditions"]?["uid"]), Text(body?["preconditions"]?["resourceVersion"]), dryRun)
        {
            OrphanDependentsFalse = orphan is false,
        };
    }

    private static string? Text(JsonNode? node) => node.AsText() is { Length: > 0 } text ? text : null;

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Count > 0 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    private static KubeApiException Invalid(string field, string value, string detail) =>
        KubeApiException.Invalid("DeleteOptions", "", "", [new FieldError(field, "FieldValueNotSupported", $"Unsupported value: \"{value}\": {detail}")]);
}
