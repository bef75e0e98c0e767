using System.Text.Json;
using Berth.Aws.Endpoint;
using Berth.Store;

namespace Berth.Aws.Ecr;

/// <summary>ECR repositories in the store, per account and region.</summary>
public sealed class Repositories(IStore store)
{
    public static string Prefix(string accountId, string region) => $"/aws/ecr/{accountId}/{region}/repositories/";

    public async Task<Repository?> FindAsync(string accountId, string region, string name, CancellationToken cancellationToken)
    {
        var entry = await store.GetAsync(Prefix(accountId, region) + name, cancellationToken: cancellationToken);
        return entry is null ? null : JsonSerializer.Deserialize(entry.Value.Span, EcrJson.Default.Repository);
    }

    /// <summary>Every repository of the account in the region, by name.</summary>
    public async Task<List<Repository>> ListAsync(string accountId, string region, CancellationToken cancellationToken)
    {
        var entries = await store.ListAsync(Prefix(accountId, region), cancellationToken: cancellationToken);
        return entries.Items.Select(e => JsonSerializer.Deserialize(e.Value.Span, EcrJson.Default.Repository)!).ToList();
    }

    public async Task CreateAsync(Repository repository, CancellationToken cancellationToken)
    {
        try
        {
            await store.CreateAsync(Prefix(repository.AccountId, repository.Region) + repository.Name,
                JsonSerializer.SerializeToUtf8Bytes(repository, EcrJson.Default.Repository), cancellationToken);
        }
        catch (StoreException e) when (e.Code == StoreErrorCode.KeyExists)
        {
            throw new AwsException("RepositoryAlreadyExistsException",
                $"The repository with name '{repository.Name}' already exists in the registry with id '{repository.AccountId}'");
        }
    }

    public async Task DeleteAsync(Repository repository, CancellationToken cancellationToken)
    {
        try
        {
            await store.DeleteAsync(Prefix(repository.AccountId, repository.Region) + repository.Name, cancellationToken: cancellationToken);
        }
        catch (StoreException e) when (e.Code == StoreErrorCode.KeyNotFound)
        {
            throw NotFound(repository.AccountId, repository.Name);
        }
    }

    public static AwsException NotFound(string accountId, string name) =>
        new("RepositoryNotFoundException", $"The repository with name '{name}' does not exist in the registry with id '{accountId}'");
}
