using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Policy;

/// <summary>PodDisruptionBudgets (policy/v1): how many of a set of pods must stay available, as a count or a percentage, but not both ways.</summary>
internal sealed partial class PodDisruptionBudgetStrategy : IResourceStrategy
{
    private static readonly string[] s_evictionPolicies = ["AlwaysAllow", "IfHealthyBudget"];

    private const string PercentMessage =
        "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Min Available", "string", "", "The minimum number of pods that must be available.", 0, (obj, _) => IntOrString(obj["spec"]?["minAvailable"])),
        new("Max Unavailable", "string", "", "The maximum number of pods that may be unavailable.", 0, (obj, _) => IntOrString(obj["spec"]?["maxUnavailable"])),
        new("Allowed Disruptions", "integer", "", "Calculated number of pods that may be disrupted at this time.", 0,
            (obj, _) => obj["status"]?["disruptionsAllowed"].AsLong() ?? 0),
        TableColumn.AgeColumn(),
    ];

    public bool HasStatus => true;

    public bool TracksGeneration => true;

    public void ApplyDefaults(JsonObject obj)
    {
        obj["spec"] ??= new JsonObject();
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        var errors = ObjectMetaValidation.Name(obj, label: false).ToList();
        var spec = (JsonObject)obj["spec"]!;
        if (spec["minAvailable"] is not null && spec["maxUnavailable"] is not null)
        {
            errors.Add(new FieldError("spec", "FieldValueInvalid", $"Invalid value: {spec.ToJsonString()}: minAvailable and maxUnavailable cannot be both set"));
        }
        foreach (var field in new[] { "minAvailable", "maxUnavailable" })
        {
            if (spec[field] is JsonValue value)
            {
                errors.AddRange(PositiveIntOrPercent(value, $"spec.{field}"));
            }
        }
        if (spec["unhealthyPodEvictionPolicy"].AsText() is { } policy && !s_evictionPolicies.Contains(policy))
        {
            errors.Add(FieldError.NotSupported("spec.unhealthyPodEvictionPolicy", policy, s_evictionPolicies));
        }
        return errors;
    }

    private static IEnumerable<FieldError> PositiveIntOrPercent(JsonValue value, string path)
    {
        if (value.GetValueKind() == JsonValueKind.String)
        {
            var text = value.GetValue<string>();
            if (!PercentPattern().IsMatch(text))
            {
                yield return new FieldError(path, "FieldValueInvalid", $"Invalid value: {text}: {PercentMessage}");
            }
            else if (int.TryParse(text.TrimEnd('%'), NumberStyles.None, CultureInfo.InvariantCulture, out var percent) && percent > 100)
            {
                yield return new FieldError(path, "FieldValueInvalid", $"Invalid value: {text}: must not be greater than 100%");
            }
        }
        else if (value.AsLong() is { } count && count < 0)
        {
            yield return FieldError.Invalid(path, count, "must be greater than or equal to 0");
        }
    }

    private static string IntOrString(JsonNode? node) => node switch
    {
        null => "N/A",
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    [GeneratedRegex("^[0-9]+%$")]
    private static partial Regex PercentPattern();
}
