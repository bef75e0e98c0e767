using Berth.Aws.Accounts;
using Berth.Aws.Ecr;
using Berth.Store.Sqlite;

namespace Berth.Aws.Tests.Ecr;

public sealed class AuthorizationTokensTests : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly SqliteStore _store;
    private readonly Clock _clock = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly AccessKeys _keys;
    private readonly AuthorizationTokens _tokens;

    public AuthorizationTokensTests()
    {
        _store = SqliteStore.Open(new SqliteStoreOptions { Path = _directory.File("berth.db") });
        _keys = new AccessKeys(_store, _clock);
        _tokens = new AuthorizationTokens(_keys, _clock);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _directory.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task APasswordNamesItsKeyUntilItExpiresTwelveHoursLater()
    {
        var root = await _keys.EnsureRootKeyAsync(Ct);
        var (password, expiresAt) = _tokens.Issue(root, "us-east-1");

        Assert.Equal(_clock.GetUtcNow().AddHours(12), expiresAt);
        Assert.Equal((root, "us-east-1"), await _tokens.ValidateAsync(password, Ct));

        _clock.Now = expiresAt.AddSeconds(-1);
        Assert.NotNull(await _tokens.ValidateAsync(password, Ct));
        _clock.Now = expiresAt;
        Assert.Null(await _tokens.ValidateAsync(password, Ct));
    }

    [Fact]
    public async Task ForgedTamperedMalformedAndRevokedPasswordsAreRefused()
    {
        var root = await _keys.EnsureRootKeyAsync(Ct);
        var (password, _) = _tokens.Issue(root, "us-east-1");
        var (forged, _) = _tokens.Issue(root with { SecretAccessKey = "a guess at the secret" }, "us-east-1");
        var payload = password[..password.IndexOf('.', StringComparison.Ordinal)];

        Assert.Null(await _tokens.ValidateAsync(forged, Ct));
        Assert.Null(await _tokens.ValidateAsync(password[..^2] + (password[^2] == 'A' ? "B" : "A") + password[^1], Ct));
        Assert.Null(await _tokens.ValidateAsync(payload, Ct));
        foreach (var malformed in new[] { "", ".", "not-a-token", "%%%.abc", "e30.abc" })
        {
            Assert.Null(await _tokens.ValidateAsync(malformed, Ct));
        }

        await _store.DeleteAsync(AccessKeys.Prefix + root.AccessKeyId, cancellationToken: Ct);
        Assert.Null(await _tokens.ValidateAsync(password, Ct));
    }

    private sealed class Clock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
