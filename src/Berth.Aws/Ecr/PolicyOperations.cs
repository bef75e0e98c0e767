using System.Text.Json.Nodes;
using Berth.Aws.Endpoint;
using static Berth.Aws.Ecr.EcrInput;
using static Berth.Aws.Endpoint.JsonInput;

namespace Berth.Aws.Ecr;

/// <summary>ECR's policy operations: a repository's lifecycle policy and its repository (access) policy.</summary>
internal sealed class PolicyOperations(Repositories repositories, LifecyclePolicyController lifecycle)
{
    public async Task<JsonObject> PutLifecyclePolicyAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var (account, name) = Target(request, input);
        var text = Text(input, "lifecyclePolicyText") ?? throw Missing("lifecyclePolicyText");
        LifecyclePolicy.Parse(text);
        await repositories.UpdateAsync(account, request.Region, name, r => r with { LifecyclePolicyText = text }, cancellationToken);
        lifecycle.Wake();
        return new JsonObject { ["registryId"] = account, ["repositoryName"] = name, ["lifecyclePolicyText"] = text };
    }

    public async Task<JsonObject> GetLifecyclePolicyAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var (account, name) = Target(request, input);
        var repository = await repositories.GetAsync(account, request.Region, name, cancellationToken);
        return LifecycleAnswer(repository, repository.LifecyclePolicyText ?? throw NoLifecyclePolicy(account, name));
    }

    public async Task<JsonObject> DeleteLifecyclePolicyAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var (account, name) = Target(request, input);
        Repository? before = null;
        await repositories.UpdateAsync(account, request.Region, name, r =>
        {
            before = r;
            return r.LifecyclePolicyText is null ? throw NoLifecyclePolicy(account, name) : r with { LifecyclePolicyText = null, LifecyclePolicyEvaluatedAt = null };
        }, cancellationToken);
        return LifecycleAnswer(before!, before!.LifecyclePolicyText!);
    }

    public async Task<JsonObject> SetRepositoryPolicyAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var (account, name) = Target(request, input);
        var text = Text(input, "policyText") ?? throw Missing("policyText");
        RepositoryPolicy.Validate(text);
        await repositories.UpdateAsync(account, request.Region, name, r => r with { RepositoryPolicyText = text }, cancellationToken);
        return new JsonObject { ["registryId"] = account, ["repositoryName"] = name, ["policyText"] = text };
    }

    public async Task<JsonObject> GetRepositoryPolicyAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var (account, name) = Target(request, input);
        var repository = await repositories.GetAsync(account, request.Region, name, cancellationToken);
        var text = repository.RepositoryPolicyText ?? throw NoRepositoryPolicy(account, name);
        return new JsonObject { ["registryId"] = account, ["repositoryName"] = name, ["policyText"] = text };
    }

    public async Task<JsonObject> DeleteRepositoryPolicyAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var (account, name) = Target(request, input);
        string? text = null;
        await repositories.UpdateAsync(account, request.Region, name, r =>
        {
            text = r.RepositoryPolicyText ?? throw NoRepositoryPolicy(account, name);
            return r with { RepositoryPolicyText = null };
        }, cancellationToken);
        return new JsonObject { ["registryId"] = account, ["repositoryName"] = name, ["policyText"] = text };
    }

    private static (string Account, string Name) Target(AwsRequest request, JsonObject input) => (RegistryId(request, input), RepositoryName(input));

    private static JsonObject LifecycleAnswer(Repository repository, string text)
    {
        var answer = new JsonObject { ["registryId"] = repository.AccountId, ["repositoryName"] = repository.Name, ["lifecyclePolicyText"] = text };
        if (repository.LifecyclePolicyEvaluatedAt is { } evaluated)
        {
            answer["lastEvaluatedAt"] = Timestamp(evaluated);
        }
        return answer;
    }

    private static AwsException NoLifecyclePolicy(string account, string name) =>
        new("LifecyclePolicyNotFoundException", $"Lifecycle policy does not exist for the repository with name '{name}' in the registry with id '{account}'");

    private static AwsException NoRepositoryPolicy(string account, string name) =>
        new("RepositoryPolicyNotFoundException", $"Repository policy does not exist for the repository with name '{name}' in the registry with id '{account}'");
}
