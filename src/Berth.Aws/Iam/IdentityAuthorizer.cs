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
        if (callerArn.EndsWith(":root", StringComparison.Ordinal))
        {
            return null; // the account's root user
        }
        var effect = PolicyEffect.None;
        if (await HolderAsync(accountId, callerArn, cancellationToken) is { } holder)
        {
            var documents = new List<string>(holder.InlinePolicies.Values);
            foreach (var arn in holder.AttachedPolicies)
            {
                if (await directory.FindPolicyAsync(accountId, arn, cancellationToken) is { } policy)
                {
                    documents.Add(policy.Document);
                }
            }
            foreach (var document in documents)
            {
                var decision = PolicyDocument.Stored(document, resourcePolicy: false).Evaluate(action, resource);
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

    /// <summary>
    /// Whose policies a caller has: the user of <c>…:user/&lt;name&gt;</c>, or the role of a session,
    /// <c>arn:aws:sts::&lt;account&gt;:assumed-role/&lt;role&gt;/&lt;session&gt;</c>.
    /// </summary>
    private async Task<PolicyHolder?> HolderAsync(string accountId, string callerArn, CancellationToken cancellationToken)
    {
        const string UserMarker = ":user/", RoleMarker = ":assumed-role/";
        if (callerArn.IndexOf(UserMarker, StringComparison.Ordinal) is var user and >= 0)
        {
            return await directory.FindUserAsync(accountId, callerArn[(user + UserMarker.Length)..], cancellationToken);
        }
        if (callerArn.IndexOf(RoleMarker, StringComparison.Ordinal) is var role and >= 0)
        {
            var roleAndSession = callerArn[(role + RoleMarker.Length)..];
            return await directory.FindRoleAsync(accountId, roleAndSession[..Math.Max(0, roleAndSession.IndexOf('/', StringComparison.Ordinal))], cancellationToken);
        }
        return null;
    }
}
