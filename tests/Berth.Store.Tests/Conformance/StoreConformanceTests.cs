namespace Berth.Store.Tests.Conformance;

/// <summary>
/// What every store backend must do, whatever it is built on. A backend's test class derives from this
/// and says how to open a fresh store; the same tests then run against it.
/// </summary>
public abstract partial class StoreConformanceTests : IAsyncLifetime
{
    private IStore? _store;

    protected IStore Store => _store ?? throw new InvalidOperationException("store not opened");

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Opens a new, empty store.</summary>
    protected abstract Task<IStore> OpenEmptyStoreAsync();

    public async ValueTask InitializeAsync() => _store = await OpenEmptyStoreAsync();

    public virtual async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }

    protected static async Task<StoreException> ExpectError(StoreErrorCode code, Func<Task> action)
    {
        var error = await Assert.ThrowsAsync<StoreException>(action);
        Assert.Equal(code, error.Code);
        return error;
    }

    protected Task<StoreEntry> Create(string key, int n) => Store.CreateAsync(key, TestJson.Doc(new { n }), Ct);

    protected Task<StoreEntry> Update(string key, int n, long? expected = null) =>
        Store.UpdateAsync(key, TestJson.Doc(new { n }), expected, Ct);
}
