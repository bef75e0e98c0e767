using System.Security.Cryptography;
using System.Text;
using Berth.Store.Encryption;
using Berth.Store.Sqlite;

namespace Berth.Store.Tests.Encryption;

public sealed class EncryptingStoreTests : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly SqliteStore _inner;
    private readonly EncryptingStore _store;

    public EncryptingStoreTests()
    {
        _inner = SqliteStore.Open(new SqliteStoreOptions { Path = _directory.File("berth.db") });
        _store = new EncryptingStore(_inner, new ValueSealer(_key, "k1"), key => key.StartsWith("/secret/", StringComparison.Ordinal));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Doc(string text) => Encoding.UTF8.GetBytes($$"""{"password":"{{text}}"}""");

    [Fact]
    public async Task ChosenKeys_AreSealedAtRest_AndReadBackPlain()
    {
        await _store.CreateAsync("/secret/a", Doc("hunter2"), Ct);
        await _store.CreateAsync("/plain/b", Doc("visible"), Ct);

        var atRest = Encoding.UTF8.GetString((await _inner.GetAsync("/secret/a", cancellationToken: Ct))!.Value.Span);
        var plainAtRest = Encoding.UTF8.GetString((await _inner.GetAsync("/plain/b", cancellationToken: Ct))!.Value.Span);
        var read = Encoding.UTF8.GetString((await _store.GetAsync("/secret/a", cancellationToken: Ct))!.Value.Span);

        Assert.StartsWith("""{"sealed":"aesgcm:v1:k1:""", atRest, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", atRest, StringComparison.Ordinal);
        Assert.Contains("visible", plainAtRest, StringComparison.Ordinal);
        Assert.Equal("""{"password":"hunter2"}""", read);
    }

    [Fact]
    public async Task SealedValue_MovedToAnotherKey_DoesNotOpen()
    {
        await _store.CreateAsync("/secret/a", Doc("hunter2"), Ct);
        var sealedValue = (await _inner.GetAsync("/secret/a", cancellationToken: Ct))!.Value;
        await _inner.CreateAsync("/secret/b", sealedValue, Ct);

        var error = await Assert.ThrowsAsync<StoreException>(() => _store.GetAsync("/secret/b", cancellationToken: Ct));

        Assert.Contains("does not open", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherKey_CannotOpenIt()
    {
        await _store.CreateAsync("/secret/a", Doc("hunter2"), Ct);
        var other = new EncryptingStore(_inner, new ValueSealer(RandomNumberGenerator.GetBytes(32), "k2"), _ => true);

        await Assert.ThrowsAsync<StoreException>(() => other.GetAsync("/secret/a", cancellationToken: Ct));
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _directory.Dispose();
    }
}
