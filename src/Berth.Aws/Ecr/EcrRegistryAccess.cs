using Berth.Registry.Content;
using Berth.Registry.Distribution;

namespace Berth.Aws.Ecr;

/// <summary>
/// The registry's users and repositories, as ECR's: the user <c>AWS</c> with a password from
/// <c>GetAuthorizationToken</c> reaches the ECR repositories of that account and region.
/// </summary>
public sealed class EcrRegistryAccess(AuthorizationTokens tokens, Repositories repositories) : IRegistryAccess
{
    public async Task<RegistryPrincipal?> AuthenticateAsync(string username, string password, CancellationToken cancellationToken) =>
        username == "AWS" && await tokens.ValidateAsync(password, cancellationToken) is var (key, region)
            ? new RegistryPrincipal(key.AccountId, region, key.AccessKeyId)
            : null;

    public async Task<RegistryRepository?> FindRepositoryAsync(RegistryPrincipal principal, string name, RegistryAction action, CancellationToken cancellationToken) =>
        await repositories.FindAsync(principal.AccountId, principal.Region, name, cancellationToken) is { } repository
            ? RegistryView(repository)
            : null;

    /// <summary>The registry's view of an ECR repository: its content is kept per account and region.</summary>
    public static RegistryRepository RegistryView(Repository repository) =>
        new($"{repository.AccountId}/{repository.Region}", repository.Name, repository.ImageTagMutability == "IMMUTABLE");
}
