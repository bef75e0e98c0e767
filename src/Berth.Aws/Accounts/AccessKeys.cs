using System.Security.Cryptography;
using System.Text.Json;
using Berth.Store;

namespace Berth.Aws.Accounts;

/// <summary>The installation's AWS access keys, in the store.</summary>
public sealed class AccessKeys(IStore store, TimeProvider time)
{
    public const string Prefix = "/aws/iam/access-keys/";

    /// <summary>Access key ids are 20 upper-case letters and digits, <c>AKIA</c> first, as IAM's are.</summary>
    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private const string SecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    public async Task<AccessKey?> FindAsync(string accessKeyId, CancellationToken cancellationToken)
    {
        if (accessKeyId.Length is 0 or > 128 || !accessKeyId.All(char.IsAsciiLetterOrDigit))
        {
            return null; // no key of ours, and nothing to put in a store key
        }
        var entry = await store.GetAsync(Prefix + accessKeyId, cancellationToken: cancellationToken);
        return entry is null ? null : JsonSerializer.Deserialize(entry.Value.Span, AccountsJson.Default.AccessKey);
    }

    /// <summary>IAM's limit of access keys per user.</summary>
    public const int MaxKeysPerUser = 2;

    /// <summary>A new access key for the IAM user <paramref name="userName"/> of <paramref name="accountId"/>.</summary>
    public async Task<AccessKey> CreateAsync(string accountId, string userName, CancellationToken cancellationToken)
    {
        var key = new AccessKey
        {
            AccessKeyId = "AKIA" + RandomNumberGenerator.GetString(IdAlphabet, 16),
            SecretAccessKey = RandomNumberGenerator.GetString(SecretAlphabet, 40),
            AccountId = accountId,
            UserName = userName,
            CreateDate = time.GetUtcNow(),
        };
        await store.CreateAsync(Prefix + key.AccessKeyId, JsonSerializer.SerializeToUtf8Bytes(key, AccountsJson.Default.AccessKey), cancellationToken);
        return key;
    }

    /// <summary>Temporary credentials for a session of <paramref name="roleName"/>, good until <paramref name="expiration"/>.</summary>
    public async Task<AccessKey> CreateSessionAsync(string accountId, string roleName, string roleId, string sessionName, DateTimeOffset expiration, CancellationToken cancellationToken)
    {
        var key = new AccessKey
        {
            // ASIA marks temporary keys, as STS's
            AccessKeyId = "ASIA" + RandomNumberGenerator.GetString(IdAlphabet, 16),
            SecretAccessKey = RandomNumberGenerator.GetString(SecretAlphabet, 40),
            AccountId = accountId,
            CreateDate = time.GetUtcNow(),
            SessionToken = Convert.ToBase64String(RandomNumberGenerator.GetBytes(96)),
            Expiration = expiration,
            RoleName = roleName,
            RoleId = roleId,
            SessionName = sessionName,
        };
        await store.CreateAsync(Prefix + key.AccessKeyId, JsonSerializer.SerializeToUtf8Bytes(key, AccountsJson.Default.AccessKey), cancellationToken);
        return key;
    }

    /// <summary>Deletes the temporary credentials that expired before <paramref name="now"/>; returns how many.</summary>
    public async Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var expired = (await StoredDocuments.ListAsync(store, Prefix, AccountsJson.Default.AccessKey, cancellationToken)).Where(k => k.Expiration < now).ToList();
        foreach (var key in expired)
        {
            await DeleteAsync(key.AccessKeyId, cancellationToken);
        }
        return expired.Count;
    }

    /// <summary>The access keys of one user of the account (null: the root user's).</summary>
    public async Task<List<AccessKey>> ListAsync(string accountId, string? userName, CancellationToken cancellationToken) =>
        (await StoredDocuments.ListAsync(store, Prefix, AccountsJson.Default.AccessKey, cancellationToken))
            .Where(k => k.AccountId == accountId && k.UserName == userName && k.RoleName is null).OrderBy(k => k.CreateDate).ToList();

    /// <summary>Deletes a key; false when there is no such key.</summary>
    public async Task<bool> DeleteAsync(string accessKeyId, CancellationToken cancellationToken)
    {
        try
        {
            await store.DeleteAsync(Prefix + accessKeyId, cancellationToken: cancellationToken);
            return true;
        }
        catch (StoreException e) when (e.Code == StoreErrorCode.KeyNotFound)
        {
            return false;
        }
    }

    /// <summary>The account id a new installation gets unless told otherwise: the one LocalStack users expect.</summary>
    public const string DefaultAccountId = "000000000000";

    /// <summary>
    /// The root user's access key, made the first time the server starts, for the account <paramref name="accountId"/>
    /// (else <see cref="DefaultAccountId"/>). The account is fixed from then on: asking for another one afterwards
    /// is refused rather than quietly ignored.
    /// </summary>
    public async Task<AccessKey> EnsureRootKeyAsync(CancellationToken cancellationToken, string? accountId = null)
    {
        if (accountId is not null && (accountId.Length != 12 || !accountId.All(char.IsAsciiDigit)))
        {
            throw new AccountIdException($"the account id must be 12 digits, not \"{accountId}\"");
        }
        var existing = await store.ListAsync(Prefix, cancellationToken: cancellationToken);
        foreach (var entry in existing.Items)
        {
            var key = JsonSerializer.Deserialize(entry.Value.Span, AccountsJson.Default.AccessKey)!;
            if (key.UserName is null && key.RoleName is null)
            {
                return accountId is null || accountId == key.AccountId ? key
                    : throw new AccountIdException($"this data folder's account is {key.AccountId}; the account id is chosen at the first start and cannot become {accountId}");
            }
        }
        var root = new AccessKey
        {
            AccessKeyId = "AKIA" + RandomNumberGenerator.GetString(IdAlphabet, 16),
            SecretAccessKey = RandomNumberGenerator.GetString(SecretAlphabet, 40),
            AccountId = accountId ?? DefaultAccountId,
            CreateDate = time.GetUtcNow(),
        };
        await store.CreateAsync(Prefix + root.AccessKeyId, JsonSerializer.SerializeToUtf8Bytes(root, AccountsJson.Default.AccessKey), cancellationToken);
        return root;
    }
}

/// <summary>An account id that is malformed, or that differs from the one the data folder was made with.</summary>
public sealed class AccountIdException(string message) : Exception(message);
