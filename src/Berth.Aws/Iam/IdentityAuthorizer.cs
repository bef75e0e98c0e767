using Berth.Aws.Accounts;

namespace Berth.Aws.Iam;

/// <summary>
/// Decides a signed request by the caller's identity-based policies, as IAM does for callers of the account's own
/// resources: the root user may do anything; an IAM user what its inline and attached policies allow and none deny.
/// </summary>
public sealed class IdentityAuthorizer(IamDirectory directory)
{
    /// <summary>Null when <paramref name="caller"/> may do <paramref name="action"/> on <paramref name="resource"/>; otherwise AWS's message saying why not.</summary>
    public Task<string?> RefusalAsync(AccessKey caller, string action, string resource, CancellationToken cancellationToken) =>
        RefusalAsync(caller.AccountId, caller.Arn, action, resource, cancellationToken);

    /// <summary>The same, for a caller known by its account and ARN (<c>…:root</c> or <c>…:user/&lt;name&gt;</c>).</summary>
    public async Task<string?> RefusalAsync(string accountId, string callerArn, string action, string resource, CancellationToken cancellationToken)
    {
        const string UserMarker = ":user/";
        var marker = callerArn.IndexOf(UserMarker, StringComparison.Ordinal);
        if (marker < 0)
        {
            return null; // the account's root user
        }
        var effect = PolicyEffect.None;
        if (await directory.FindUserAsync(accountId, callerArn[(marker + UserMarker.Length)..], cancellationToken) is { } user)
        {
            var documents = new List<string>(user.InlinePolicies.Values);
            foreach (var arn in user.AttachedPolicies)
            {
                if (await directory.FindPolicyAsync(accountId, arn, cancellationToken) is { } policy)
                {
                    documents.Add(policy.Document);
                }
            }
            foreach (var document in documents)
            {
                var decision = PolicyDocument.Parse(document, resourcePolicy: false).Evaluate(action, resource);
                if (decision == PolicyEffect.Deny)
                {
                    effect = PolicyEffect.Deny;
                    break;
                }
                if (decision == PolicyEffect.Allow)
                {
                    effect = PolicyEffect.Allow;
                }
            }
        }
        return effect switch
        {
            PolicyEffect.Allow => null,
            PolicyEffect.Deny => $"User: {callerArn} is not authorized to perform: {action} on resource: {resource} with an explicit deny in an identity-based policy",
            _ => $"User: {callerArn} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action",
        };
    }
}
