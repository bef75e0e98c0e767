using Berth.Registry.Content;

namespace Berth.Registry.Distribution;

/// <summary>
/// Who may use the registry and which repositories they reach. ECR decides (its passwords, its accounts, its
/// repositories and their policies); the registry asks on every request.
/// </summary>
public interface IRegistryAccess
{
    /// <summary>The caller these Basic credentials are, or null when they are not valid.</summary>
    Task<RegistryPrincipal?> AuthenticateAsync(string username, string password, CancellationToken cancellationToken);

    /// <summary>
    /// The repository <paramref name="name"/> as <paramref name="principal"/> sees it, or null when it has none by that
    /// name. Throws <see cref="RegistryAccessDeniedException"/> when the repository exists but the caller may not do
    /// <paramref name="action"/> there.
    /// </summary>
    Task<RegistryRepository?> FindRepositoryAsync(RegistryPrincipal principal, string name, RegistryAction action, CancellationToken cancellationToken);

    /// <summary>Whether the repository of <paramref name="scope"/> and <paramref name="name"/> exists; the content of one that does not is swept.</summary>
    Task<bool> RepositoryExistsAsync(string scope, string name, CancellationToken cancellationToken);
}

/// <summary>An authenticated registry user: the account and region whose repositories it reaches, its key and its ARN.</summary>
public sealed record RegistryPrincipal(string AccountId, string Region, string AccessKeyId, string Arn);

/// <summary>What a request does to a repository, for its access policy.</summary>
public enum RegistryAction
{
    Pull,
    Push,
    Delete,
}

public sealed class RegistryAccessDeniedException(string message) : Exception(message);
