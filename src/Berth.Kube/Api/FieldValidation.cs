using System.Text.Json.Nodes;
using Berth.Kube.Resources;
using Berth.Kube.Schema;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Api;

/// <summary>
/// The <c>fieldValidation</c> query parameter of writes, and the decoding it governs: a value of the wrong type
/// is always refused; fields the kind does not have are dropped, and refused (<c>Strict</c>, as kubectl asks),
/// sent back as warnings (<c>Warn</c>, the default) or passed over (<c>Ignore</c>).
/// </summary>
internal static class FieldValidation
{
    public static void Decode(HttpContext context, ResourceType type, JsonObject obj) => Decode(context, type.Schema, type.Version, type.Kind, obj);

    public static void Decode(HttpContext context, TypeSchema schema, string version, string kind, JsonObject obj)
    {
        var mode = Mode(context);
        var result = SchemaDecoder.Decode(obj, schema);
        if (result.TypeError is { } typeError)
        {
            throw CannotHandle(version, kind, typeError);
        }
        if (result.UnknownFields.Count == 0 || mode == "Ignore")
        {
            return;
        }
        var problems = result.UnknownFields.Select(f => $"unknown field \"{f}\"").ToList();
        if (mode == "Strict")
        {
            throw CannotHandle(version, kind, "strict decoding error: " + string.Join(", ", problems));
        }
        foreach (var problem in problems)
        {
            KubeResponse.AddWarning(context, problem);
        }
    }

    private static string Mode(HttpContext context) => context.Request.Query["fieldValidation"] switch
    {
        [] => "Warn",
        ["Ignore" or "Warn" or "Strict"] values => values[0]!,
        var values => throw KubeApiException.BadRequest(
            $"fieldValidation must be one of Ignore, Warn or Strict, not \"{string.Join(",", values.ToArray())}\""),
    };

    private static KubeApiException CannotHandle(string version, string kind, string problem) =>
        KubeApiException.BadRequest($"{kind} in version \"{version}\" cannot be handled as a {kind}: {problem}");
}
