using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Workloads;

/// <summary>One container of a pod spec as kube-apiserver checks it: name, image, ports, volume mounts and probes.</summary>
internal static class ContainerValidation
{
    private static readonly string[] s_probes = ["livenessProbe", "readinessProbe", "startupProbe"];

    /// <param name="node">The container.</param>
    /// <param name="path">Where it sits, for field paths.</param>
    /// <param name="names">The names of the pod's containers so far, init and regular, which must all differ.</param>
    /// <param name="volumes">The pod's volume names, which mounts must name.</param>
    /// <param name="init">Whether this is an init container, which may carry probes and hooks only as a sidecar.</param>
    /// <param name="errors">Where the errors found are added.</param>
    public static void Validate(JsonNode? node, string path, HashSet<string> names, HashSet<string> volumes, bool init, List<FieldError> errors)
    {
        if (node is not JsonObject container)
        {
            errors.Add(FieldError.Required(path));
            return;
        }
        if (container["name"].AsText() is not { Length: > 0 } name)
        {
            errors.Add(FieldError.Required($"{path}.name"));
        }
        else if (!names.Add(name))
        {
            errors.Add(FieldError.Duplicate($"{path}.name", name));
        }
        else if (!ObjectMetaValidation.IsLabel(name))
        {
            errors.Add(FieldError.Invalid($"{path}.name", name, ObjectMetaValidation.LabelMessage));
        }
        if (container["image"].AsText() is not { Length: > 0 })
        {
            errors.Add(FieldError.Required($"{path}.image"));
        }
        Ports(container["ports"], path, errors);
        VolumeMounts(container["volumeMounts"], $"{path}.volumeMounts", volumes, errors);
        var sidecar = init && container["restartPolicy"].AsText() == "Always";
        foreach (var kind in s_probes.Where(container.ContainsKey))
        {
            if (init && !sidecar)
            {
                errors.Add(FieldError.Forbidden($"{path}.{kind}", "may not be set for init containers without restartPolicy=Always"));
                continue;
            }
            ProbeValidation.Validate(container[kind], $"{path}.{kind}", mustSucceedOnce: kind != "readinessProbe", errors);
        }
        if (init && !sidecar && container.ContainsKey("lifecycle"))
        {
            errors.Add(FieldError.Forbidden($"{path}.lifecycle", "may not be set for init containers without restartPolicy=Always"));
        }
    }

    private static void Ports(JsonNode? node, string path, List<FieldError> errors)
    {
        if (node is not JsonArray ports)
        {
            return;
        }
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i]?["containerPort"];
            if (port is not JsonValue value || value.GetValueKind() != JsonValueKind.Number || !value.TryGetValue<int>(out var number) || number is < 1 or > 65535)
            {
                errors.Add(new FieldError($"{path}.ports[{i}].containerPort", "FieldValueInvalid",
                    $"Invalid value: {port?.ToJsonString() ?? "0"}: must be between 1 and 65535, inclusive"));
            }
        }
    }

    private static void VolumeMounts(JsonNode? node, string path, HashSet<string> volumes, List<FieldError> errors)
    {
        if (node is not JsonArray mounts)
        {
            return;
        }
        var mountPaths = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < mounts.Count; i++)
        {
            var at = $"{path}[{i}]";
            var name = mounts[i]?["name"].AsText() ?? "";
            if (name.Length == 0)
            {
                errors.Add(FieldError.Required($"{at}.name"));
            }
            if (!volumes.Contains(name))
            {
                errors.Add(FieldError.NotFound($"{at}.name", name));
            }
            if (mounts[i]?["mountPath"].AsText() is not { Length: > 0 } mountPath)
            {
                errors.Add(FieldError.Required($"{at}.mountPath"));
            }
            else if (!mountPaths.Add(mountPath))
            {
                errors.Add(FieldError.Invalid($"{at}.mountPath", mountPath, "must be unique"));
            }
        }
    }
}
