using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Core;

/// <summary>The <c>data</c> maps of ConfigMaps and Secrets: string values, base64 where the type says so.</summary>
internal static class DataValidation
{
    public static IEnumerable<FieldError> Map(JsonObject obj, string field, bool base64)
    {
        if (obj[field] is null)
        {
            yield break;
        }
        if (obj[field] is not JsonObject map)
        {
            yield return new FieldError(field, "FieldValueInvalid", "Invalid value: must be a map of strings");
            yield break;
        }
        foreach (var (key, value) in map)
        {
            if (value?.GetValueKind() != JsonValueKind.String)
            {
                yield return new FieldError($"{field}[{key}]", "FieldValueInvalid", "Invalid value: must be a string");
            }
            else if (base64 && !IsBase64(value.GetValue<string>()))
            {
                yield return new FieldError($"{field}[{key}]", "FieldValueInvalid", "Invalid value: illegal base64 data");
            }
        }
    }

    private static bool IsBase64(string text) => System.Buffers.Text.Base64.IsValid(text);
}
