using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Workloads;

/// <summary>The checks of a pod spec that every kind holding one shares.</summary>
internal static class PodSpecValidation
{
    private static readonly string[] s_restartPolicies = ["Always", "OnFailure", "Never"];

    /// <param name="spec">The pod spec.</param>
    /// <param name="path">Where the spec sits, for field paths: <c>spec</c> or <c>spec.template.spec</c>.</param>
    /// <param name="restartPolicies">The restart policies the holding kind allows.</param>
    public static IEnumerable<FieldError> Validate(JsonNode? spec, string path, IReadOnlyList<string>? restartPolicies = null)
    {
        if (spec is not JsonObject pod)
        {
            yield return FieldError.Required(path);
            yield break;
        }
        if (pod["containers"] is not JsonArray { Count: > 0 } containers)
        {
            yield return FieldError.Required($"{path}.containers");
        }
        else
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < containers.Count; i++)
            {
                foreach (var error in Container(containers[i], $"{path}.containers[{i}]", names))
                {
                    yield return error;
                }
            }
        }
        var allowed = restartPolicies ?? s_restartPolicies;
        if (pod["restartPolicy"].AsText() is { } policy && !allowed.Contains(policy))
        {
            yield return new FieldError($"{path}.restartPolicy", "FieldValueNotSupported",
                $"Unsupported value: \"{policy}\": supported values: {string.Join(", ", allowed.Select(a => $"\"{a}\""))}");
        }
    }

    private static IEnumerable<FieldError> Container(JsonNode? node, string path, HashSet<string> names)
    {
        if (node is not JsonObject container)
        {
            yield return FieldError.Required(path);
            yield break;
        }
        if (container["name"].AsText() is not { Length: > 0 } name)
        {
            yield return FieldError.Required($"{path}.name");
        }
        else if (!names.Add(name))
        {
            yield return new FieldError($"{path}.name", "FieldValueDuplicate", $"Duplicate value: \"{name}\"");
        }
        else if (!ObjectMetaValidation.IsLabel(name))
        {
            yield return FieldError.Invalid($"{path}.name", name, ObjectMetaValidation.LabelMessage);
        }
        if (container["image"].AsText() is not { Length: > 0 })
        {
            yield return FieldError.Required($"{path}.image");
        }
        if (container["ports"] is JsonArray ports)
        {
            for (var i = 0; i < ports.Count; i++)
            {
                var port = ports[i]?["containerPort"];
                if (port is not JsonValue value || value.GetValueKind() != JsonValueKind.Number || !value.TryGetValue<int>(out var number) || number is < 1 or > 65535)
                {
                    yield return new FieldError($"{path}.ports[{i}].containerPort", "FieldValueInvalid",
                        $"Invalid value: {port?.ToJsonString() ?? "0"}: must be between 1 and 65535, inclusive");
                }
            }
        }
    }
}
