using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Berth.Aws.Endpoint;
using static Berth.Aws.Endpoint.JsonInput;

namespace Berth.Aws.Ecr;

/// <summary>Reading ECR's JSON input as ECR does: its member types, its constraints, its validation messages.</summary>
internal static partial class EcrInput
{
    private const string NamePattern = "(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*";

    public static string RepositoryName(JsonObject input)
    {
        var name = Text(input, "repositoryName") ?? throw Missing("repositoryName");
        if (name.Length is < 2 or > 256 || !RepositoryNameRegex().IsMatch(name))
        {
            throw Invalid("repositoryName", name, $"Member must satisfy regular expression pattern: {NamePattern}");
        }
        return name;
    }

    /// <summary>The caller's own registry; another account's is one where no repository of theirs can be found.</summary>
    public static string RegistryId(AwsRequest request, JsonObject input)
    {
        var registry = Text(input, "registryId") ?? request.Caller.AccountId;
        if (registry != request.Caller.AccountId)
        {
            throw Repositories.NotFound(registry, Text(input, "repositoryName") ?? "");
        }
        return registry;
    }

    /// <summary>A page size between 1 and 1000; ECR's list operations give 100 when none is asked for.</summary>
    public static int MaxResults(JsonObject input, int fallback = 100)
    {
        var limit = Value<int>(input, "maxResults") ?? fallback;
        return limit is < 1 or > 1000
            ? throw Invalid("maxResults", limit.ToString(CultureInfo.InvariantCulture), "Member must have value between 1 and 1000")
            : limit;
    }

    /// <summary>Where a page starts: the offset a previous page's <c>nextToken</c> carries.</summary>
    public static int PageStart(JsonObject input) =>
        PageTokens.Decode(Text(input, "nextToken"),
            () => new AwsException("InvalidParameterException", "Invalid parameter at 'nextToken' failed to satisfy constraint: 'The next token is not valid'"));

    public static JsonObject Page<T>(JsonObject input, IReadOnlyList<T> all, string member, Func<T, JsonNode> describe)
    {
        var (page, next) = PageTokens.Slice(all, PageStart(input), MaxResults(input));
        var result = new JsonObject { [member] = new JsonArray([.. page.Select(describe)]) };
        if (next is not null)
        {
            result["nextToken"] = next;
        }
        return result;
    }

    public static Dictionary<string, string> Tags(JsonObject input)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in Objects(input, "tags"))
        {
            tags[Text(tag, "Key") ?? throw Invalid("tags.Key", "null", "Member must not be null")] = Text(tag, "Value") ?? "";
        }
        return tags;
    }

    public static AwsException Missing(string field) =>
        new("InvalidParameterException", $"1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null");

    public static AwsException Invalid(string field, string value, string constraint) =>
        new("InvalidParameterException", $"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}");

    [GeneratedRegex($"^{NamePattern}$", RegexOptions.CultureInvariant)]
    private static partial Regex RepositoryNameRegex();
}
