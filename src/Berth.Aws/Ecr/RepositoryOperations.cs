using System.Text.Json.Nodes;
using Berth.Aws.Endpoint;
using Berth.Registry.Content;
using static Berth.Aws.Ecr.EcrInput;
using static Berth.Aws.Endpoint.JsonInput;

namespace Berth.Aws.Ecr;

/// <summary>ECR's repository operations: create, describe, delete, settings, and resource tags.</summary>
internal sealed class RepositoryOperations(Repositories repositories, RepositoryContent content, TimeProvider time)
{
    public async Task<JsonObject> CreateAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var name = RepositoryName(input);
        var account = RegistryId(request, input);
        var mutability = Mutability(input);
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
            ImageTagMutability = mutability ?? "MUTABLE",
            ScanOnPush = input["imageScanningConfiguration"] is JsonObject scanning && Value<bool>(scanning, "scanOnPush") is true,
            EncryptionType = encryptionType,
            KmsKey = encryption is null ? null : Text(encryption, "kmsKey"),
            Tags = Tags(input),
        };
        await repositories.CreateAsync(repository, cancellationToken);
        return new JsonObject { ["repository"] = Describe(request, repository) };
    }

    public async Task<JsonObject> DescribeAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var account = RegistryId(request, input);
        var all = await repositories.ListAsync(account, request.Region, cancellationToken);
        if (Strings(input, "repositoryNames") is { } names)
        {
            var chosen = names.Select(n => all.FirstOrDefault(r => r.Name == n) ?? throw Repositories.NotFound(account, n));
            return new JsonObject { ["repositories"] = new JsonArray(chosen.Select(r => (JsonNode)Describe(request, r)).ToArray()) };
        }
        return Page(input, all, "repositories", r => Describe(request, r));
    }

    /// <summary>Refused while the repository holds images, unless <c>force</c>: then its images go with it.</summary>
    public async Task<JsonObject> DeleteAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var name = RepositoryName(input);
        var account = RegistryId(request, input);
        var repository = await repositories.GetAsync(account, request.Region, name, cancellationToken);
        var view = EcrRegistryAccess.RegistryView(repository);
        if (Value<bool>(input, "force") is not true && (await content.ListManifestsAsync(view, cancellationToken)).Count > 0)
        {
            throw new AwsException("RepositoryNotEmptyException",
                $"The repository with name '{name}' in registry with id '{account}' cannot be deleted because it still contains images");
        }
        await content.DeleteAllAsync(view, cancellationToken);
        await repositories.DeleteAsync(repository, cancellationToken);
        return new JsonObject { ["repository"] = Describe(request, repository) };
    }

    public async Task<JsonObject> PutImageTagMutabilityAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var name = RepositoryName(input);
        var account = RegistryId(request, input);
        var mutability = Mutability(input) ?? throw Missing("imageTagMutability");
        await repositories.UpdateAsync(account, request.Region, name, r => r with { ImageTagMutability = mutability }, cancellationToken);
        return new JsonObject { ["registryId"] = account, ["repositoryName"] = name, ["imageTagMutability"] = mutability };
    }

    public async Task<JsonObject> PutImageScanningConfigurationAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var name = RepositoryName(input);
        var account = RegistryId(request, input);
        var scanning = input["imageScanningConfiguration"] as JsonObject ?? throw Missing("imageScanningConfiguration");
        var scanOnPush = Value<bool>(scanning, "scanOnPush") is true;
        await repositories.UpdateAsync(account, request.Region, name, r => r with { ScanOnPush = scanOnPush }, cancellationToken);
        return new JsonObject
        {
            ["registryId"] = account,
            ["repositoryName"] = name,
            ["imageScanningConfiguration"] = new JsonObject { ["scanOnPush"] = scanOnPush },
        };
    }

    public async Task<JsonObject> TagResourceAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var (account, name) = ResourceOf(request, input);
        var added = Tags(input);
        await repositories.UpdateAsync(account, request.Region, name,
            r => r with { Tags = r.Tags.Where(t => !added.ContainsKey(t.Key)).Concat(added).ToDictionary(StringComparer.Ordinal) }, cancellationToken);
        return [];
    }

    public async Task<JsonObject> UntagResourceAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var (account, name) = ResourceOf(request, input);
        var removed = Strings(input, "tagKeys") ?? throw Missing("tagKeys");
        await repositories.UpdateAsync(account, request.Region, name,
            r => r with { Tags = r.Tags.Where(t => !removed.Contains(t.Key)).ToDictionary(StringComparer.Ordinal) }, cancellationToken);
        return [];
    }

    public async Task<JsonObject> ListTagsForResourceAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var (account, name) = ResourceOf(request, input);
        var repository = await repositories.GetAsync(account, request.Region, name, cancellationToken);
        return new JsonObject
        {
            ["tags"] = new JsonArray(repository.Tags.OrderBy(t => t.Key, StringComparer.Ordinal)
                .Select(t => (JsonNode)new JsonObject { ["Key"] = t.Key, ["Value"] = t.Value }).ToArray()),
        };
    }

    /// <summary>A repository as the API describes it; its URI names the host the client reached, so podman can push there.</summary>
    public static JsonObject Describe(AwsRequest request, Repository repository)
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
            ["createdAt"] = Timestamp(repository.CreatedAt),
            ["imageTagMutability"] = repository.ImageTagMutability,
            ["imageScanningConfiguration"] = new JsonObject { ["scanOnPush"] = repository.ScanOnPush },
            ["encryptionConfiguration"] = encryption,
        };
    }

    private static string? Mutability(JsonObject input)
    {
        var mutability = Text(input, "imageTagMutability");
        return mutability is null or "MUTABLE" or "IMMUTABLE"
            ? mutability
            : throw Invalid("imageTagMutability", mutability, "Member must satisfy enum value set: [MUTABLE, IMMUTABLE]");
    }

    /// <summary>The repository a <c>resourceArn</c> names: <c>arn:aws:ecr:&lt;region&gt;:&lt;account&gt;:repository/&lt;name&gt;</c>.</summary>
    private static (string Account, string Name) ResourceOf(AwsRequest request, JsonObject input)
    {
        var arn = Text(input, "resourceArn") ?? throw Missing("resourceArn");
        var parts = arn.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn" || parts[2] != "ecr" || !parts[5].StartsWith("repository/", StringComparison.Ordinal))
        {
            throw new AwsException("InvalidParameterException", $"Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN {arn}'");
        }
        var name = parts[5]["repository/".Length..];
        if (parts[4] != request.Caller.AccountId || parts[3] != request.Region)
        {
            throw Repositories.NotFound(parts[4], name);
        }
        return (parts[4], name);
    }
}
