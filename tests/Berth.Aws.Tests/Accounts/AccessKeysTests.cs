using Berth.Aws.Accounts;
using Berth.Store.Sqlite;

namespace Berth.Aws.Tests.Accounts;

public sealed class AccessKeysTests : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly SqliteStore _store;
    private readonly AccessKeys _keys;

    public AccessKeysTests()
    {
        _store = SqliteStore.Open(new SqliteStoreOptions { Path = _directory.File("berth.db") });
        _keys = new AccessKeys(_store, TimeProvider.System);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _directory.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DeleteExpired_RemovesOnlySessionsPastTheirExpiration()
    {
        var root = await _keys.EnsureRootKeyAsync(Ct);
        var user = await _keys.CreateAsync(root.AccountId, "ci", Ct);
        var now = DateTimeOffset.UtcNow;
        var over = await _keys.CreateSessionAsync(root.AccountId, "deployer", "AROAEXAMPLE", "old", now.AddMinutes(-1), Ct);
        var live = await _keys.CreateSessionAsync(root.AccountId, "deployer", "AROAEXAMPLE", "new", now.AddHours(1), Ct);

        Assert.Equal(1, await _keys.DeleteExpiredAsync(now, Ct));

        Assert.Null(await _keys.FindAsync(over.AccessKeyId, Ct));
        Assert.NotNull(await _keys.FindAsync(live.AccessKeyId, Ct));
        Assert.NotNull(await _keys.FindAsync(user.AccessKeyId, Ct));
        Assert.Equal(root, await _keys.EnsureRootKeyAsync(Ct));
        Assert.Equal("arn:aws:sts::000000000000:assumed-role/deployer/new", live.Arn);
    }
}
