namespace Berth.Registry.Distribution;

/// <summary>Who may use the registry: the ECR face decides (its passwords, its accounts), the registry asks.</summary>
public interface IRegistryAuthenticator
{
    /// <summary>The registry's account for these Basic credentials, or null when they are not valid.</summary>
    Task<RegistryPrincipal?> AuthenticateAsync(string username, string password, CancellationToken cancellationToken);
}

/// <summary>An authenticated registry user: the account whose repositories it reaches.</summary>
public sealed record RegistryPrincipal(string AccountId, string AccessKeyId);
