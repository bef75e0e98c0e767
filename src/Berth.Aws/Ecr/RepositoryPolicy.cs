using Berth.Aws.Endpoint;
using Berth.Aws.Iam;

namespace Berth.Aws.Ecr;

/// <summary>
/// A repository policy (a resource policy, <see cref="PolicyDocument"/>) and its decision for callers of the
/// repository's own account: they are allowed by their identity's policies, so what the repository policy can do to
/// them is deny, and a matching <c>Deny</c> statement does.
/// </summary>
public static class RepositoryPolicy
{
    /// <summary>Checks that <paramref name="text"/> is a policy ECR would store; throws its InvalidParameterException otherwise.</summary>
    public static void Validate(string text)
    {
        try
        {
            PolicyDocument.Parse(text, resourcePolicy: true);
        }
        catch (FormatException)
        {
            throw new AwsException("InvalidParameterException", "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'");
        }
    }

    /// <summary>Whether the policy denies <paramref name="callerArn"/> of <paramref name="accountId"/> any of <paramref name="actions"/> on the repository.</summary>
    public static bool Denies(string? text, string repositoryArn, string callerArn, string accountId, params string[] actions)
    {
        if (text is null)
        {
            return false;
        }
        var policy = PolicyDocument.Stored(text, resourcePolicy: true);
        return actions.Any(a => policy.Evaluate(a, repositoryArn, callerArn, accountId) == PolicyEffect.Deny);
    }
}
