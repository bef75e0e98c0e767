using Microsoft.Extensions.Primitives;

namespace Berth.Kube.Api;

/// <summary>Boolean query parameters, read as Go's strconv.ParseBool reads them: <c>watch=true</c>, <c>watch=True</c>, <c>watch=1</c>.</summary>
internal static class QueryFlag
{
    public static bool? Parse(StringValues values) => values.Count == 0 || string.IsNullOrEmpty(values[0])
        ? null
        : values[0] switch
        {
            "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
            "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
            var other => throw KubeApiException.BadRequest($"strconv.ParseBool: parsing \"{other}\": invalid syntax"),
        };
}
