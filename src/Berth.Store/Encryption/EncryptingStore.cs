using System.Runtime.CompilerServices;

namespace Berth.Store.Encryption;

/// <summary>
/// Encrypts chosen documents at rest, as kube-apiserver's storage transformers do for Secrets: a store in front of
/// another that seals the values of the keys <see cref="_encrypts"/> picks on the way in, and opens every sealed
/// value on the way out, watches included. Values written before encryption was on are read as they are.
/// </summary>
public sealed class EncryptingStore(IStore inner, ValueSealer sealer, Func<string, bool> encrypts) : IStore
{
    private readonly Func<string, bool> _encrypts = encrypts;

    public Task<StoreStatus> GetStatusAsync(CancellationToken cancellationToken = default) => inner.GetStatusAsync(cancellationToken);

    public async Task<StoreEntry> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        Open(await inner.CreateAsync(key, Seal(key, value), cancellationToken));

    public async Task<StoreEntry> UpdateAsync(string key, ReadOnlyMemory<byte> value, long? expectedRevision = null, CancellationToken cancellationToken = default) =>
        Open(await inner.UpdateAsync(key, Seal(key, value), expectedRevision, cancellationToken));

    public async Task<StoreEntry> DeleteAsync(string key, long? expectedRevision = null, CancellationToken cancellationToken = default) =>
        Open(await inner.DeleteAsync(key, expectedRevision, cancellationToken));

    public async Task<StoreEntry?> GetAsync(string key, long revision = 0, CancellationToken cancellationToken = default) =>
        await inner.GetAsync(key, revision, cancellationToken) is { } entry ? Open(entry) : null;

    public async Task<ListResult> ListAsync(string prefix, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = await inner.ListAsync(prefix, options, cancellationToken);
        return result with { Items = [.. result.Items.Select(Open)] };
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var e in inner.WatchAsync(prefix, afterRevision, cancellationToken))
        {
            yield return new WatchEvent(e.Type, Open(e.Entry), e.PrevValue.IsEmpty ? e.PrevValue : sealer.Open(e.Entry.Key, e.PrevValue));
        }
    }

    public void RequestWatchProgress() => inner.RequestWatchProgress();

    public Task<long> CompactAsync(long revision, CancellationToken cancellationToken = default) => inner.CompactAsync(revision, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    /// <summary>The value as the store below keeps it; checked first as that store checks values, since it sees only the seal.</summary>
    private ReadOnlyMemory<byte> Seal(string key, ReadOnlyMemory<byte> value)
    {
        if (!_encrypts(key))
        {
            return value;
        }
        StoreKeys.ValidateKey(key);
        StoreValues.Validate(value.Span);
        return sealer.Seal(key, value);
    }

    private StoreEntry Open(StoreEntry entry) => entry with { Value = sealer.Open(entry.Key, entry.Value) };
}
