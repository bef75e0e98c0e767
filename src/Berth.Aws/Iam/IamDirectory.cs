using System.Security.Cryptography;
using Berth.Aws.Endpoint;
using Berth.Store;

namespace Berth.Aws.Iam;

/// <summary>Which kind of identity an IAM action's policies are for.</summary>
public enum HolderKind
{
    User,
    Role,
}

/// <summary>An account's IAM users, roles and customer managed policies in the store, with IAM's errors.</summary>
public sealed class IamDirectory(IStore store)
{
    public static string UsersPrefix(string accountId) => $"/aws/iam/{accountId}/users/";

    public static string PoliciesPrefix(string accountId) => $"/aws/iam/{accountId}/policies/";

    public static string RolesPrefix(string accountId) => $"/aws/iam/{accountId}/roles/";

    /// <summary>IAM's unique ids: a four-letter prefix naming the kind, then 17 upper-case letters and digits.</summary>
    public static string NewId(string prefix) => prefix + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 17);

    public Task<IamUser?> FindUserAsync(string accountId, string name, CancellationToken cancellationToken) =>
        StoredDocuments.GetAsync(store, UsersPrefix(accountId) + name, IamJson.Default.IamUser, cancellationToken);

    public async Task<IamUser> GetUserAsync(string accountId, string name, CancellationToken cancellationToken) =>
        await FindUserAsync(accountId, name, cancellationToken) ?? throw NoSuchUser(name);

    public Task<List<IamUser>> ListUsersAsync(string accountId, CancellationToken cancellationToken) =>
        StoredDocuments.ListAsync(store, UsersPrefix(accountId), IamJson.Default.IamUser, cancellationToken);

    public Task CreateUserAsync(IamUser user, CancellationToken cancellationToken) =>
        StoredDocuments.CreateAsync(store, UsersPrefix(user.AccountId) + user.UserName, user, IamJson.Default.IamUser,
            () => new AwsException("EntityAlreadyExists", $"User with name {user.UserName} already exists.", 409), cancellationToken);

    public Task<IamUser> UpdateUserAsync(string accountId, string name, Func<IamUser, IamUser> change, CancellationToken cancellationToken) =>
        StoredDocuments.UpdateAsync(store, UsersPrefix(accountId) + name, IamJson.Default.IamUser, change, () => NoSuchUser(name), cancellationToken);

    public Task DeleteUserAsync(string accountId, string name, CancellationToken cancellationToken) =>
        StoredDocuments.DeleteAsync(store, UsersPrefix(accountId) + name, () => NoSuchUser(name), cancellationToken);

    public Task<IamRole?> FindRoleAsync(string accountId, string name, CancellationToken cancellationToken) =>
        StoredDocuments.GetAsync(store, RolesPrefix(accountId) + name, IamJson.Default.IamRole, cancellationToken);

    public async Task<IamRole> GetRoleAsync(string accountId, string name, CancellationToken cancellationToken) =>
        await FindRoleAsync(accountId, name, cancellationToken) ?? throw NoSuchRole(name);

    public Task<List<IamRole>> ListRolesAsync(string accountId, CancellationToken cancellationToken) =>
        StoredDocuments.ListAsync(store, RolesPrefix(accountId), IamJson.Default.IamRole, cancellationToken);

    public Task CreateRoleAsync(IamRole role, CancellationToken cancellationToken) =>
        StoredDocuments.CreateAsync(store, RolesPrefix(role.AccountId) + role.RoleName, role, IamJson.Default.IamRole,
            () => new AwsException("EntityAlreadyExists", $"Role with name {role.RoleName} already exists.", 409), cancellationToken);

    public Task<IamRole> UpdateRoleAsync(string accountId, string name, Func<IamRole, IamRole> change, CancellationToken cancellationToken) =>
        StoredDocuments.UpdateAsync(store, RolesPrefix(accountId) + name, IamJson.Default.IamRole, change, () => NoSuchRole(name), cancellationToken);

    public Task DeleteRoleAsync(string accountId, string name, CancellationToken cancellationToken) =>
        StoredDocuments.DeleteAsync(store, RolesPrefix(accountId) + name, () => NoSuchRole(name), cancellationToken);

    /// <summary>A user or a role, by the kind its action names.</summary>
    public async Task<PolicyHolder> GetHolderAsync(HolderKind kind, string accountId, string name, CancellationToken cancellationToken) =>
        kind == HolderKind.User ? await GetUserAsync(accountId, name, cancellationToken) : await GetRoleAsync(accountId, name, cancellationToken);

    /// <summary>Changes a user's or a role's policies.</summary>
    public async Task UpdateHolderAsync(HolderKind kind, string accountId, string name, Func<PolicyHolder, PolicyHolder> change, CancellationToken cancellationToken)
    {
        if (kind == HolderKind.User)
        {
            await UpdateUserAsync(accountId, name, u => (IamUser)change(u), cancellationToken);
        }
        else
        {
            await UpdateRoleAsync(accountId, name, r => (IamRole)change(r), cancellationToken);
        }
    }

    /// <summary>A managed policy by ARN: one of AWS's, or one of the account's own; null when there is none.</summary>
    public async Task<ManagedPolicy?> FindPolicyAsync(string accountId, string arn, CancellationToken cancellationToken)
    {
        if (AwsManagedPolicies.Find(arn) is { } builtIn)
        {
            return builtIn;
        }
        var prefix = $"arn:aws:iam::{accountId}:policy/";
        return arn.StartsWith(prefix, StringComparison.Ordinal) && arn.Length > prefix.Length && !arn[prefix.Length..].Contains('/', StringComparison.Ordinal)
            ? await StoredDocuments.GetAsync(store, PoliciesPrefix(accountId) + arn[prefix.Length..], IamJson.Default.ManagedPolicy, cancellationToken)
            : null;
    }

    public async Task<ManagedPolicy> GetPolicyAsync(string accountId, string arn, CancellationToken cancellationToken) =>
        await FindPolicyAsync(accountId, arn, cancellationToken) ?? throw NoSuchPolicy(arn);

    public Task<List<ManagedPolicy>> ListPoliciesAsync(string accountId, CancellationToken cancellationToken) =>
        StoredDocuments.ListAsync(store, PoliciesPrefix(accountId), IamJson.Default.ManagedPolicy, cancellationToken);

    public Task CreatePolicyAsync(ManagedPolicy policy, CancellationToken cancellationToken) =>
        StoredDocuments.CreateAsync(store, PoliciesPrefix(policy.AccountId!) + policy.PolicyName, policy, IamJson.Default.ManagedPolicy,
            () => new AwsException("EntityAlreadyExists", $"A policy called {policy.PolicyName} already exists. Duplicate names are not allowed.", 409), cancellationToken);

    public Task DeletePolicyAsync(ManagedPolicy policy, CancellationToken cancellationToken) =>
        StoredDocuments.DeleteAsync(store, PoliciesPrefix(policy.AccountId!) + policy.PolicyName, () => NoSuchPolicy(policy.Arn), cancellationToken);

    public static string OidcProvidersPrefix(string accountId) => $"/aws/iam/{accountId}/oidc-providers/";

    private static string OidcProviderKey(string accountId, string url) => OidcProvidersPrefix(accountId) + Uri.EscapeDataString(url);

    public Task<OidcProvider?> FindOidcProviderAsync(string accountId, string url, CancellationToken cancellationToken) =>
        StoredDocuments.GetAsync(store, OidcProviderKey(accountId, url), IamJson.Default.OidcProvider, cancellationToken);

    public Task<List<OidcProvider>> ListOidcProvidersAsync(string accountId, CancellationToken cancellationToken) =>
        StoredDocuments.ListAsync(store, OidcProvidersPrefix(accountId), IamJson.Default.OidcProvider, cancellationToken);

    public Task CreateOidcProviderAsync(OidcProvider provider, CancellationToken cancellationToken) =>
        StoredDocuments.CreateAsync(store, OidcProviderKey(provider.AccountId, provider.Url), provider, IamJson.Default.OidcProvider,
            () => new AwsException("EntityAlreadyExists", $"Provider with url https://{provider.Url} already exists.", 409), cancellationToken);

    public Task DeleteOidcProviderAsync(OidcProvider provider, CancellationToken cancellationToken) =>
        StoredDocuments.DeleteAsync(store, OidcProviderKey(provider.AccountId, provider.Url), () => NoSuchOidcProvider(provider.Arn), cancellationToken);

    public static AwsException NoSuchOidcProvider(string arn) => new("NoSuchEntity", $"OpenIDConnect Provider not found for arn {arn}", 404);

    public static AwsException NoSuchUser(string name) => new("NoSuchEntity", $"The user with name {name} cannot be found.", 404);

    public static AwsException NoSuchRole(string name) => new("NoSuchEntity", $"The role with name {name} cannot be found.", 404);

    public static AwsException NoSuchPolicy(string arn) => new("NoSuchEntity", $"Policy {arn} does not exist or is not attachable.", 404);
}
