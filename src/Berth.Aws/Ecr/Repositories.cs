using System.Text.Json;
using Berth.Aws.Endpoint;
using Berth.Store;

namespace Berth.Aws.Ecr;

/// <summary>ECR repositories in the store, per account and region.</summary>
public sealed class Repositories(IStore store)
{
    public const string RootPrefix = "/aws/ecr/";

    public static string Prefix(string accountId, string region) => $"{RootPrefix}{accountId}/{region}/repositories/";

    public Task<Repository?> FindAsync(string accountId, string region, string name, CancellationToken cancellationToken) =>
        StoredDocuments.GetAsync(store, Prefix(accountId, region) + name, EcrJson.Default.Repository, cancellationToken);

    /// <summary>The repository, or ECR's RepositoryNotFoundException.</summary>
    public async Task<Repository> GetAsync(string accountId, string region, string name, CancellationToken cancellationToken) =>
        await FindAsync(accountId, region, name, cancellationToken) ?? throw NotFound(accountId, name);

    /// <summary>Every repository of the account in the region, by name.</summary>
    public async Task<List<Repository>> ListAsync(string accountId, string region, CancellationToken cancellationToken) =>
        await ListUnderAsync(Prefix(accountId, region), cancellationToken);

    /// <summary>Every repository of every account and region, for the controllers that look after them all.</summary>
    public Task<List<Repository>> ListAllAsync(CancellationToken cancellationToken) => ListUnderAsync(RootPrefix, cancellationToken);

    public Task CreateAsync(Repository repository, CancellationToken cancellationToken) =>
        StoredDocuments.CreateAsync(store, Key(repository), repository, EcrJson.Default.Repository, () => new AwsException("RepositoryAlreadyExistsException",
            $"The repository with name '{repository.Name}' already exists in the registry with id '{repository.AccountId}'"), cancellationToken);

    /// <summary>Changes a repository by <paramref name="change"/>, applied again to the newer version when another write came between.</summary>
    public Task<Repository> UpdateAsync(string accountId, string region, string name, Func<Repository, Repository> change, CancellationToken cancellationToken) =>
        StoredDocuments.UpdateAsync(store, Prefix(accountId, region) + name, EcrJson.Default.Repository, change, () => NotFound(accountId, name), cancellationToken);

    public Task DeleteAsync(Repository repository, CancellationToken cancellationToken) =>
        StoredDocuments.DeleteAsync(store, Key(repository), () => NotFound(repository.AccountId, repository.Name), cancellationToken);

    /// <summary>
    /// The repository an ECR request names (<c>registryId</c>, <c>repositoryName</c>) and the registry's view of it;
    /// ECR's AccessDeniedException when its repository policy denies the caller <paramref name="action"/>.
    /// </summary>
    public async Task<(Repository Repository, Registry.Content.RegistryRepository View)> ForRequestAsync(
        AwsRequest request, System.Text.Json.Nodes.JsonObject input, string action, CancellationToken cancellationToken)
    {
        var repository = await GetAsync(EcrInput.RegistryId(request, input), request.Region, EcrInput.RepositoryName(input), cancellationToken);
        EcrRegistryAccess.Authorize(request, repository, action);
        return (repository, EcrRegistryAccess.RegistryView(repository));
    }

    public static AwsException NotFound(string accountId, string name) =>
        new("RepositoryNotFoundException", $"The repository with name '{name}' does not exist in the registry with id '{accountId}'");

    private async Task<List<Repository>> ListUnderAsync(string prefix, CancellationToken cancellationToken)
    {
        var repositories = new List<Repository>();
        string? next = null;
        do
        {
            var page = await store.ListAsync(prefix, new ListOptions(Limit: 500, Continue: next), cancellationToken);
            repositories.AddRange(page.Items.Where(e => e.Key.Contains("/repositories/", StringComparison.Ordinal)).Select(Read));
            next = page.Continue;
        }
        while (next is not null);
        return repositories;
    }

    private static string Key(Repository repository) => Prefix(repository.AccountId, repository.Region) + repository.Name;

    private static Repository Read(StoreEntry entry) => JsonSerializer.Deserialize(entry.Value.Span, EcrJson.Default.Repository)!;
}
