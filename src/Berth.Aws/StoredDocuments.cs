using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Berth.Store;

namespace Berth.Aws;

/// <summary>AWS resources as JSON documents in the store: read, list, create once, change by read-modify-write on the key's revision, delete.</summary>
internal static class StoredDocuments
{
    public static async Task<T?> GetAsync<T>(IStore store, string key, JsonTypeInfo<T> type, CancellationToken cancellationToken) where T : class =>
        await store.GetAsync(key, cancellationToken: cancellationToken) is { } entry ? JsonSerializer.Deserialize(entry.Value.Span, type) : null;

    /// <summary>Every document directly under <paramref name="prefix"/>, in key order.</summary>
    public static async Task<List<T>> ListAsync<T>(IStore store, string prefix, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var documents = new List<T>();
        string? next = null;
        do
        {
            var page = await store.ListAsync(prefix, new ListOptions(Limit: 500, Continue: next), cancellationToken);
            documents.AddRange(page.Items.Where(e => e.Key.IndexOf('/', prefix.Length) < 0).Select(e => JsonSerializer.Deserialize(e.Value.Span, type)!));
            next = page.Continue;
        }
        while (next is not null);
        return documents;
    }

    /// <summary>Every document anywhere under <paramref name="prefix"/>, in key order.</summary>
    public static async Task<List<T>> ListAllAsync<T>(IStore store, string prefix, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var documents = new List<T>();
        string? next = null;
        do
        {
            var page = await store.ListAsync(prefix, new ListOptions(Limit: 500, Continue: next), cancellationToken);
            documents.AddRange(page.Items.Select(e => JsonSerializer.Deserialize(e.Value.Span, type)!));
            next = page.Continue;
        }
        while (next is not null);
        return documents;
    }

    /// <summary>Creates the document; <paramref name="exists"/> is the error when the key is taken.</summary>
    public static async Task CreateAsync<T>(IStore store, string key, T document, JsonTypeInfo<T> type, Func<Exception> exists, CancellationToken cancellationToken)
    {
        try
        {
            await store.CreateAsync(key, JsonSerializer.SerializeToUtf8Bytes(document, type), cancellationToken);
        }
        catch (StoreException e) when (e.Code == StoreErrorCode.KeyExists)
        {
            throw exists();
        }
    }

    /// <summary>Changes the document by <paramref name="change"/>, applied again to the newer version when another write came between.</summary>
    public static async Task<T> UpdateAsync<T>(IStore store, string key, JsonTypeInfo<T> type, Func<T, T> change, Func<Exception> missing, CancellationToken cancellationToken)
    {
        while (true)
        {
            var entry = await store.GetAsync(key, cancellationToken: cancellationToken) ?? throw missing();
            var changed = change(JsonSerializer.Deserialize(entry.Value.Span, type)!);
            try
            {
                await store.UpdateAsync(key, JsonSerializer.SerializeToUtf8Bytes(changed, type), entry.ModRevision, cancellationToken);
                return changed;
            }
            catch (StoreException e) when (e.Code == StoreErrorCode.Conflict)
            {
                // changed meanwhile: apply the change to what is there now
            }
            catch (StoreException e) when (e.Code == StoreErrorCode.KeyNotFound)
            {
                throw missing();
            }
        }
    }

    public static async Task DeleteAsync(IStore store, string key, Func<Exception> missing, CancellationToken cancellationToken)
    {
        try
        {
            await store.DeleteAsync(key, cancellationToken: cancellationToken);
        }
        catch (StoreException e) when (e.Code == StoreErrorCode.KeyNotFound)
        {
            throw missing();
        }
    }
}
