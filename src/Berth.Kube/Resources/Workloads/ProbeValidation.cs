using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Workloads;

/// <summary>
/// A container probe as kube-apiserver checks it: exactly one handler, a valid port, thresholds and periods that
/// are not negative, and a liveness or startup probe that counts one success as success.
/// </summary>
internal static partial class ProbeValidation
{
    /// <summary>The handlers a probe may carry, in the order Kubernetes counts them.</summary>
    private static readonly string[] s_handlers = ["exec", "httpGet", "tcpSocket", "grpc"];

    private static readonly string[] s_nonNegative = ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"];

    /// <param name="node">The probe.</param>
    /// <param name="path">Where it sits, for field paths.</param>
    /// <param name="mustSucceedOnce">Liveness and startup probes: <c>successThreshold</c> must be 1.</param>
    /// <param name="errors">Where the errors found are added.</param>
    public static void Validate(JsonNode? node, string path, bool mustSucceedOnce, List<FieldError> errors)
    {
        if (node is not JsonObject probe)
        {
            return;
        }
        var handlers = s_handlers.Where(probe.ContainsKey).ToList();
        if (handlers.Count == 0)
        {
            errors.Add(FieldError.Required(path, "must specify a handler type"));
        }
        else
        {
            Handler(handlers[0], probe[handlers[0]], $"{path}.{handlers[0]}", errors);
        }
        errors.AddRange(handlers.Skip(1).Select(extra => FieldError.Forbidden($"{path}.{extra}", "may not specify more than 1 handler type")));
        foreach (var field in s_nonNegative)
        {
            if (Number(probe[field]) is < 0 and var value)
            {
                errors.Add(FieldError.Invalid($"{path}.{field}", value, "must be greater than or equal to 0"));
            }
        }
        if (mustSucceedOnce && Number(probe["successThreshold"]) is { } threshold and not 1)
        {
            errors.Add(FieldError.Invalid($"{path}.successThreshold", threshold, "must be 1"));
        }
        if (Number(probe["terminationGracePeriodSeconds"]) is <= 0 and var grace)
        {
            errors.Add(FieldError.Invalid($"{path}.terminationGracePeriodSeconds", grace, "must be greater than 0"));
        }
    }

    private static void Handler(string kind, JsonNode? handler, string path, List<FieldError> errors)
    {
        switch (kind)
        {
            case "exec" when (handler?["command"]) is not JsonArray { Count: > 0 }:
                errors.Add(FieldError.Required($"{path}.command"));
                break;
            case "httpGet" or "tcpSocket":
                Port(handler?["port"], $"{path}.port", errors);
                if (kind == "httpGet" && handler?["scheme"].AsText() is { } scheme && scheme is not ("HTTP" or "HTTPS"))
                {
                    errors.Add(FieldError.NotSupported($"{path}.scheme", scheme, ["HTTP", "HTTPS"]));
                }
                break;
            case "grpc" when Number((handler?["port"])) is not (>= 1 and <= 65535):
                errors.Add(FieldError.Invalid($"{path}.port", Number(handler?["port"]) ?? 0, "must be between 1 and 65535, inclusive"));
                break;
        }
    }

    /// <summary>A port by number or by the name of a container port, as <c>ValidatePortNumOrName</c> checks it.</summary>
    private static void Port(JsonNode? port, string path, List<FieldError> errors)
    {
        if (port is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            var name = value.GetValue<string>();
            var problem = name.Length > 15 ? "must be no more than 15 characters"
                : !PortNameCharacters().IsMatch(name) ? "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
                : !name.Any(char.IsAsciiLetterLower) ? "must contain at least one letter (a-z)"
                : name.Contains("--", StringComparison.Ordinal) ? "must not contain consecutive hyphens"
                : name.StartsWith('-') || name.EndsWith('-') ? "must not begin or end with a hyphen"
                : null;
            if (problem is not null)
            {
                errors.Add(FieldError.Invalid(path, name, problem));
            }
            return;
        }
        if (Number(port) is not (>= 1 and <= 65535))
        {
            errors.Add(FieldError.Invalid(path, Number(port) ?? 0, "must be between 1 and 65535, inclusive"));
        }
    }

    private static long? Number(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var number) ? number : null;

    [GeneratedRegex("^[-a-z0-9]+$")]
    private static partial Regex PortNameCharacters();
}
