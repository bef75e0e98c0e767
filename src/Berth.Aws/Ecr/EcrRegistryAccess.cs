using Berth.Aws.Endpoint;
using Berth.Aws.Iam;
using Berth.Registry.Content;
using Berth.Registry.Distribution;

namespace Berth.Aws.Ecr;

/// <summary>
/// The registry's users and repositories, as ECR's: the user <c>AWS</c> with a password from
/// <c>GetAuthorizationToken</c> reaches the ECR repositories of that account and region, as their repository
/// policies allow.
/// </summary>
public sealed class EcrRegistryAccess(AuthorizationTokens tokens, Repositories repositories, IdentityAuthorizer authorizer) : IRegistryAccess
{
    public async Task<RegistryPrincipal?> AuthenticateAsync(string username, string password, CancellationToken cancellationToken) =>
        username == "AWS" && await tokens.ValidateAsync(password, cancellationToken) is var (key, region)
            ? new RegistryPrincipal(key.AccountId, region, key.AccessKeyId, key.Arn)
            : null;

    public async Task<RegistryRepository?> FindRepositoryAsync(RegistryPrincipal principal, string name, RegistryAction action, CancellationToken cancellationToken)
    {
        if (await repositories.FindAsync(principal.AccountId, principal.Region, name, cancellationToken) is not { } repository)
        {
            return null;
        }
        var actions = ActionsOf(action);
        foreach (var ecrAction in actions)
        {
            if (await authorizer.RefusalAsync(principal.AccountId, principal.Arn, ecrAction, repository.Arn, cancellationToken) is { } refusal)
            {
                throw new RegistryAccessDeniedException(refusal);
            }
        }
        if (RepositoryPolicy.Denies(repository.RepositoryPolicyText, repository.Arn, principal.Arn, principal.AccountId, actions))
        {
            throw new RegistryAccessDeniedException($"User: {principal.Arn} is not authorized to perform: {string.Join(", ", actions)} on resource: {repository.Arn} with an explicit deny in a resource-based policy");
        }
        return RegistryView(repository);
    }

    public async Task<bool> RepositoryExistsAsync(string scope, string name, CancellationToken cancellationToken) =>
        scope.Split('/') is [var account, var region] && await repositories.FindAsync(account, region, name, cancellationToken) is not null;

    /// <summary>Refuses an ECR API call the repository's policy denies the caller, with ECR's AccessDeniedException.</summary>
    public static void Authorize(AwsRequest request, Repository repository, string action)
    {
        if (RepositoryPolicy.Denies(repository.RepositoryPolicyText, repository.Arn, request.Caller.Arn, request.Caller.AccountId, action))
        {
            throw new AwsException("AccessDeniedException",
                $"User: {request.Caller.Arn} is not authorized to perform: {action} on resource: {repository.Arn} with an explicit deny in a resource-based policy");
        }
    }

    /// <summary>The registry's view of an ECR repository: its content is kept per account and region.</summary>
    public static RegistryRepository RegistryView(Repository repository) =>
        new($"{repository.AccountId}/{repository.Region}", repository.Name, repository.ImageTagMutability == "IMMUTABLE");

    /// <summary>The ECR actions a registry request is: what a repository policy names to allow or deny it.</summary>
    private static string[] ActionsOf(RegistryAction action) => action switch
    {
        RegistryAction.Pull => ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        RegistryAction.Push => ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"],
        _ => ["ecr:BatchDeleteImage"],
    };
}
