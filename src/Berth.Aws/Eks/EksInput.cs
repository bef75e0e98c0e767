using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Berth.Aws.Endpoint;
using static Berth.Aws.Endpoint.JsonInput;

namespace Berth.Aws.Eks;

/// <summary>Reading EKS's input as EKS does: names, versions, tags, pages, with EKS's errors.</summary>
internal static partial class EksInput
{
    /// <summary>The Kubernetes versions a cluster may be made with; the API serves 1.32's behaviour whichever is asked.</summary>
    public static readonly IReadOnlyList<string> Versions = ["1.29", "1.30", "1.31", "1.32"];

    public const string DefaultVersion = "1.32";

    /// <summary>A cluster, node group or profile name: EKS's pattern, 1 to 100 characters.</summary>
    public static string Name(JsonObject input, string member)
    {
        var name = Text(input, member) ?? throw Invalid($"{member} can't be null or empty.");
        return name.Length is >= 1 and <= 100 && NameRegex().IsMatch(name)
            ? name
            : throw Invalid($"The {member} '{name}' is invalid: it must be 1-100 characters, start with a letter or digit, and contain only letters, digits, hyphens and underscores.");
    }

    public static string Version(JsonObject input)
    {
        var version = Text(input, "version") ?? DefaultVersion;
        return Versions.Contains(version) ? version : throw Invalid($"unsupported Kubernetes version {version}");
    }

    /// <summary>EKS's tags: a map of key to value, keys 1-128 characters, values up to 256, at most 50.</summary>
    public static Dictionary<string, string> Tags(JsonObject input)
    {
        if (input["tags"] is null)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }
        var tags = input["tags"] as JsonObject ?? throw new AwsException("SerializationException", "'tags' must be a map of strings");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new AwsException("SerializationException", "'tags' must be a map of strings");
            if (key.Length is < 1 or > 128 || text.Length > 256 || key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                throw Invalid($"The tag '{key}' is invalid: keys are 1-128 characters and may not begin with 'aws:', values at most 256 characters.");
            }
            result[key] = text;
        }
        return result.Count > 50 ? throw Invalid("A resource may have at most 50 tags.") : result;
    }

    /// <summary>One page of <paramref name="names"/>, EKS's list answers: 1 to 100 a page (100 when not asked), a <c>nextToken</c> when more remain.</summary>
    public static JsonObject Page(JsonObject input, IReadOnlyList<string> names, string member)
    {
        var limit = Number(input, "maxResults") ?? 100;
        if (limit is < 1 or > 100)
        {
            throw Invalid("maxResults must be between 1 and 100.");
        }
        var (page, next) = PageTokens.Slice(names, PageTokens.Decode(Text(input, "nextToken"), () => Invalid("The nextToken is not valid.")), limit);
        var result = new JsonObject { [member] = new JsonArray([.. page.Select(n => (JsonNode)n)]) };
        if (next is not null)
        {
            result["nextToken"] = next;
        }
        return result;
    }

    /// <summary>A number member, which REST-JSON puts in the query as text.</summary>
    public static int? Number(JsonObject input, string member) => input[member] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<int>(out var number) => number,
        JsonValue value when value.TryGetValue<string>(out var text) && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => throw new AwsException("SerializationException", $"'{member}' must be a number"),
    };

    /// <summary>A structure member, or an empty one when absent.</summary>
    public static JsonObject Structure(JsonObject input, string member) => input[member] switch
    {
        null => [],
        JsonObject obj => (JsonObject)obj.DeepClone(),
        _ => throw new AwsException("SerializationException", $"'{member}' must be a structure"),
    };

    public static AwsException Invalid(string message) => new("InvalidParameterException", message);

    public static AwsException ClusterNotFound(string name) => new("ResourceNotFoundException", $"No cluster found for name: {name}.", 404);

    [GeneratedRegex("^[0-9A-Za-z][A-Za-z0-9_-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NameRegex();
}
