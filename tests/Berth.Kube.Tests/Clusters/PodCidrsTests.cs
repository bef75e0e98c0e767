using Berth.Kube.Clusters;
using Berth.Store;
using Berth.Store.Sqlite;

namespace Berth.Kube.Tests.Clusters;

/// <summary>Pod /16s taken by several installations of one machine at once, each with its own store and data folder.</summary>
public sealed class PodCidrsTests : IAsyncDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("berth-pod-cidrs-test-").FullName;
    private readonly List<SqliteStore> _stores = [];

    private string Claims => Path.Combine(_root, "claims");

    private PodCidrs Installation(string name, out IStore store)
    {
        var dataDirectory = Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
        var opened = SqliteStore.Open(new SqliteStoreOptions { Path = Path.Combine(dataDirectory, "store.db") });
        _stores.Add(opened);
        store = opened;
        return new PodCidrs(opened, new KubeApiOptions { DataDirectory = dataDirectory, PodCidrClaims = Claims });
    }

    [Fact]
    public async Task InstallationsAllocatingAtOnce_GetDistinctCidrs()
    {
        var installations = Enumerable.Range(0, 8).Select(i => Installation($"installation-{i}", out _)).ToList();
        var cidrs = await Task.WhenAll(installations.SelectMany(p => new[] { p, p })
            .Select(p => Task.Run(() => p.AllocateAsync(Guid.NewGuid().ToString(), TestContext.Current.CancellationToken))));
        Assert.Equal(16, cidrs.Distinct().Count());
        Assert.Equal(16, Directory.GetFiles(Claims).Count(f => !Path.GetFileName(f).StartsWith('.')));
    }

    [Fact]
    public async Task OneClusterAllocatingTwiceAtOnce_HoldsOneCidr_UntilReleased()
    {
        var pool = Installation("one", out var store);
        var uid = Guid.NewGuid().ToString();
        var cancellationToken = TestContext.Current.CancellationToken;
        var both = await Task.WhenAll(Task.Run(() => pool.AllocateAsync(uid, cancellationToken)), Task.Run(() => pool.AllocateAsync(uid, cancellationToken)));
        Assert.Equal(both[0], both[1]);
        Assert.Single((await store.ListAsync(PodCidrs.Prefix, new ListOptions(), cancellationToken)).Items);

        await pool.ReleaseAsync(uid, cancellationToken);
        Assert.Empty((await store.ListAsync(PodCidrs.Prefix, new ListOptions(), cancellationToken)).Items);
        Assert.DoesNotContain(Directory.GetFiles(Claims), f => !Path.GetFileName(f).StartsWith('.'));
    }

    [Fact]
    public async Task ClaimOfAGoneInstallation_IsTakenOver_AndALiveOneIsNot()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var gone = Installation("gone", out _);
        var live = Installation("live", out _);
        var first = await gone.AllocateAsync(Guid.NewGuid().ToString(), cancellationToken);
        var second = await live.AllocateAsync(Guid.NewGuid().ToString(), cancellationToken);
        Assert.NotEqual(first, second);

        Directory.Delete(Path.Combine(_root, "gone"), recursive: true);
        Assert.Equal(first, await Installation("next", out _).AllocateAsync(Guid.NewGuid().ToString(), cancellationToken));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
        Directory.Delete(_root, recursive: true);
    }
}
