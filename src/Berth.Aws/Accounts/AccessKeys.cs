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

    /// <summary>The root user's access key, made with a new account id the first time the server starts.</summary>
    public async Task<AccessKey> EnsureRootKeyAsync(CancellationToken cancellationToken)
    {
        var existing = await store.ListAsync(Prefix, cancellationToken: cancellationToken);
        foreach (var entry in existing.Items)
        {
            var key = JsonSerializer.Deserialize(entry.Value.Span, AccountsJson.Default.AccessKey)!;
            if (key.UserName is null)
            {
                return key;
            }
        }
        var root = new AccessKey
        {
            AccessKeyId = "AKIA" + RandomNumberGenerator.GetString(IdAlphabet, 16),
            SecretAccessKey = RandomNumberGenerator.GetString(SecretAlphabet, 40),
            AccountId = RandomNumberGenerator.GetString("0123456789", 12),
            CreateDate = time.GetUtcNow(),
        };
        await store.CreateAsync(Prefix + root.AccessKeyId, JsonSerializer.SerializeToUtf8Bytes(root, AccountsJson.Default.AccessKey), cancellationToken);
        return root;
    }
}
