using System.Text.Json.Nodes;

namespace Berth.Kube.Api;

/// <summary>A request that fails the way Kubernetes fails it: an HTTP code, a reason and a message for a Status.</summary>
internal sealed class KubeApiException(int code, string reason, string message, JsonObject? details = null)
    : Exception(message)
{
    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public JsonObject? Details { get; } = details;

    public static KubeApiException NotFound(string resource, string name) =>
        new(404, "NotFound", $"{resource} \"{name}\" not found", Detail(resource, name));

    public static KubeApiException AlreadyExists(string resource, string name) =>
        new(409, "AlreadyExists", $"{resource} \"{name}\" already exists", Detail(resource, name));

    public static KubeApiException Conflict(string resource, string name) =>
        Conflict(resource, name, "the object has been modified; please apply your changes to the latest version and try again");

    public static KubeApiException Conflict(string resource, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {resource} \"{name}\": {why}", Detail(resource, name));

    public static KubeApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static KubeApiException UnknownResource() => new(404, "NotFound", "the server could not find the requested resource");

    public static KubeApiException Gone(string message) => new(410, "Expired", message);

    /// <summary>
    /// 504 for a resourceVersion the store has not reached, with the cause and retry hint kube-apiserver sends, so
    /// that clients wait and try again.
    /// </summary>
    public static KubeApiException TooLargeResourceVersion(long requested, long current) =>
        new(504, "Timeout", $"Too large resource version: {requested}, current: {current}", new JsonObject
        {
            ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ResourceVersionTooLarge", ["message"] = "Too large resource version" }),
            ["retryAfterSeconds"] = 1,
        });

    public static KubeApiException MethodNotSupported(string resource, string verb) =>
        new(405, "MethodNotAllowed", $"{verb} is not supported on resources of kind \"{resource}\"");

    /// <summary>
    /// 422 with one cause per invalid field, as <c>kubectl</c> prints them. The message names the kind with
    /// its group (<c>Deployment.apps "web" is invalid: …</c>), the details name them apart.
    /// </summary>
    public static KubeApiException Invalid(string kind, string group, string name, IReadOnlyList<FieldError> errors)
    {
        var causes = new JsonArray();
        foreach (var error in errors)
        {
            causes.Add(new JsonObject { ["reason"] = error.Reason, ["message"] = error.Message, ["field"] = error.Field });
        }
        var details = Detail(null, name);
        if (group.Length > 0)
        {
            details["group"] = group;
        }
        details["kind"] = kind;
        details["causes"] = causes;
        var summary = string.Join(", ", errors.Select(e => $"{e.Field}: {e.Message}"));
        var list = errors.Count == 1 ? summary : $"[{summary}]";
        var qualified = group.Length > 0 ? $"{kind}.{group}" : kind;
        return new KubeApiException(422, "Invalid", $"{qualified} \"{name}\" is invalid: {list}", details);
    }

    private static JsonObject Detail(string? resource, string name)
    {
        var details = new JsonObject { ["name"] = name };
        if (resource is not null)
        {
            details["kind"] = resource;
        }
        return details;
    }
}
