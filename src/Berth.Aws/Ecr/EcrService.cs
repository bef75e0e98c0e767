using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Berth.Aws.Endpoint;
using Microsoft.AspNetCore.Http;

namespace Berth.Aws.Ecr;

/// <summary>Amazon ECR's API (JSON 1.1, <c>AmazonEC2ContainerRegistry_V20150921</c>): repositories and authorization tokens so far.</summary>
public sealed partial class EcrService(Repositories repositories, AuthorizationTokens tokens, TimeProvider time) : IAwsService
{
    private const string TargetPrefix = "AmazonEC2ContainerRegistry_V20150921";
    private const string NamePattern = "(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*";

    public string SigningName => "ecr";

    public AwsProtocol Protocol => AwsProtocol.Json;

    public async Task HandleAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var operation = JsonProtocol.Operation(request, TargetPrefix);
        var input = JsonProtocol.Input(request);
        JsonObject result = operation switch
        {
            "CreateRepository" => await CreateRepositoryAsync(request, input, cancellationToken),
            "DescribeRepositories" => await DescribeRepositoriesAsync(request, input, cancellationToken),
            "DeleteRepository" => await DeleteRepositoryAsync(request, input, cancellationToken),
            "GetAuthorizationToken" => GetAuthorizationToken(request),
            _ => throw new AwsException("UnknownOperationException", $"Unknown operation {TargetPrefix}.{operation}"),
        };
        await JsonProtocol.WriteResultAsync(request.Http.Response, result, cancellationToken);
    }

    public Task WriteErrorAsync(HttpResponse response, AwsException failure, string requestId, CancellationToken cancellationToken) =>
        JsonProtocol.WriteErrorAsync(response, failure, cancellationToken);

    private async Task<JsonObject> CreateRepositoryAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var name = RepositoryName(input);
        var account = Registry(request, input);
        var mutability = Text(input, "imageTagMutability") ?? "MUTABLE";
        if (mutability is not ("MUTABLE" or "IMMUTABLE"))
        {
            throw Invalid("imageTagMutability", mutability, "Member must satisfy enum value set: [MUTABLE, IMMUTABLE]");
        }
        var encryption = input["encryptionConfiguration"] as JsonObject;
        var encryptionType = encryption is null ? "AES256" : Text(encryption, "encryptionType") ?? "AES256";
        if (encryptionType is not ("AES256" or "KMS" or "KMS_DSSE"))
        {
            throw Invalid("encryptionConfiguration.encryptionType", encryptionType, "Member must satisfy enum value set: [AES256, KMS, KMS_DSSE]");
        }
        var repository = new Repository
        {
            AccountId = account,
            Region = request.Region,
            Name = name,
            CreatedAt = time.GetUtcNow(),
            ImageTagMutability = mutability,
            ScanOnPush = input["imageScanningConfiguration"] is JsonObject scanning && Value<bool>(scanning, "scanOnPush", "imageScanningConfiguration.scanOnPush") is true,
            EncryptionType = encryptionType,
            KmsKey = encryption is null ? null : Text(encryption, "kmsKey"),
            Tags = Tags(input),
        };
        await repositories.CreateAsync(repository, cancellationToken);
        return new JsonObject { ["repository"] = Describe(request, repository) };
    }

    private async Task<JsonObject> DescribeRepositoriesAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var account = Registry(request, input);
        var all = await repositories.ListAsync(account, request.Region, cancellationToken);
        var names = (input["repositoryNames"] as JsonArray)?.Select(n => n is JsonValue v && v.TryGetValue<string>(out var text) ? text
            : throw new AwsException("SerializationException", "repositoryNames must be a list of strings")).ToList();
        List<Repository> chosen;
        if (names is not null)
        {
            chosen = names.Select(n => all.FirstOrDefault(r => r.Name == n) ?? throw Repositories.NotFound(account, n)).ToList();
        }
        else
        {
            var after = Text(input, "nextToken") is { } token ? DecodeToken(token) : null;
            chosen = all.Where(r => after is null || string.CompareOrdinal(r.Name, after) > 0).ToList();
        }
        var limit = Value<int>(input, "maxResults", "maxResults") ?? 1000;
        if (limit is < 1 or > 1000)
        {
            throw Invalid("maxResults", limit.ToString(System.Globalization.CultureInfo.InvariantCulture), "Member must have value between 1 and 1000");
        }
        var page = chosen.Take(limit).ToList();
        var result = new JsonObject { ["repositories"] = new JsonArray(page.Select(r => (JsonNode)Describe(request, r)).ToArray()) };
        if (names is null && chosen.Count > limit)
        {
            result["nextToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(page[^1].Name));
        }
        return result;
    }

    private async Task<JsonObject> DeleteRepositoryAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var name = RepositoryName(input);
        var account = Registry(request, input);
        var repository = await repositories.FindAsync(account, request.Region, name, cancellationToken) ?? throw Repositories.NotFound(account, name);
        await repositories.DeleteAsync(repository, cancellationToken);
        return new JsonObject { ["repository"] = Describe(request, repository) };
    }

    /// <summary>One token for the caller's registry (<c>registryIds</c> is deprecated and every id is the caller's).</summary>
    private JsonObject GetAuthorizationToken(AwsRequest request)
    {
        var (password, expiresAt) = tokens.Issue(request.Caller, request.Region);
        return new JsonObject
        {
            ["authorizationData"] = new JsonArray(new JsonObject
            {
                ["authorizationToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"AWS:{password}")),
                ["expiresAt"] = expiresAt.ToUnixTimeSeconds(),
                ["proxyEndpoint"] = $"{request.Http.Request.Scheme}://{request.Http.Request.Host}",
            }),
        };
    }

    /// <summary>A repository as the API describes it; its URI names the host the client reached, so podman can push there.</summary>
    private static JsonObject Describe(AwsRequest request, Repository repository)
    {
        var encryption = new JsonObject { ["encryptionType"] = repository.EncryptionType };
        if (repository.KmsKey is not null)
        {
            encryption["kmsKey"] = repository.KmsKey;
        }
        return new JsonObject
        {
            ["repositoryArn"] = repository.Arn,
            ["registryId"] = repository.AccountId,
            ["repositoryName"] = repository.Name,
            ["repositoryUri"] = $"{request.Http.Request.Host}/{repository.Name}",
            ["createdAt"] = repository.CreatedAt.ToUnixTimeMilliseconds() / 1000.0,
            ["imageTagMutability"] = repository.ImageTagMutability,
            ["imageScanningConfiguration"] = new JsonObject { ["scanOnPush"] = repository.ScanOnPush },
            ["encryptionConfiguration"] = encryption,
        };
    }

    private static string RepositoryName(JsonObject input)
    {
        var name = Text(input, "repositoryName")
            ?? throw new AwsException("InvalidParameterException", "1 validation error detected: Value null at 'repositoryName' failed to satisfy constraint: Member must not be null");
        if (name.Length is < 2 or > 256 || !RepositoryNameRegex().IsMatch(name))
        {
            throw Invalid("repositoryName", name, $"Member must satisfy regular expression pattern: {NamePattern}");
        }
        return name;
    }

    /// <summary>The caller's own registry; another account's is one where no repository of theirs can be found.</summary>
    private static string Registry(AwsRequest request, JsonObject input)
    {
        var registry = Text(input, "registryId") ?? request.Caller.AccountId;
        if (registry != request.Caller.AccountId)
        {
            throw Repositories.NotFound(registry, Text(input, "repositoryName") ?? "");
        }
        return registry;
    }

    private static Dictionary<string, string> Tags(JsonObject input)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in (input["tags"] as JsonArray ?? []).OfType<JsonObject>())
        {
            tags[Text(tag, "Key") ?? throw Invalid("tags.Key", "null", "Member must not be null")] = Text(tag, "Value") ?? "";
        }
        return tags;
    }

    private static string? DecodeToken(string token)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            throw new AwsException("InvalidParameterException", "Invalid parameter at 'nextToken' failed to satisfy constraint: 'The next token is not valid'");
        }
    }

    /// <summary>A number or boolean member; one of another JSON type is the protocol's SerializationException.</summary>
    private static T? Value<T>(JsonObject input, string name, string path) where T : struct => input[name] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<T>(out var typed) => typed,
        _ => throw new AwsException("SerializationException", $"'{path}' must be a {(typeof(T) == typeof(bool) ? "boolean" : "number")}"),
    };

    private static string? Text(JsonObject input, string name) => input[name] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => throw new AwsException("SerializationException", $"'{name}' must be a string"),
    };

    private static AwsException Invalid(string field, string value, string constraint) =>
        new("InvalidParameterException", $"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}");

    [GeneratedRegex($"^{NamePattern}$", RegexOptions.CultureInvariant)]
    private static partial Regex RepositoryNameRegex();
}
