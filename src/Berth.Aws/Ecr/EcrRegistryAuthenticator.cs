using Berth.Registry.Distribution;

namespace Berth.Aws.Ecr;

/// <summary>The registry's logins, as ECR's: the user <c>AWS</c> and a password from <c>GetAuthorizationToken</c>.</summary>
public sealed class EcrRegistryAuthenticator(AuthorizationTokens tokens) : IRegistryAuthenticator
{
    public async Task<RegistryPrincipal?> AuthenticateAsync(string username, string password, CancellationToken cancellationToken) =>
        username == "AWS" && await tokens.ValidateAsync(password, cancellationToken) is { } key
            ? new RegistryPrincipal(key.AccountId, key.AccessKeyId)
            : null;
}
