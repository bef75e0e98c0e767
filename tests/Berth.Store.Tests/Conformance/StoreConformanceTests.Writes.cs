namespace Berth.Store.Tests.Conformance;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Create_NewKey_TakesNextRevision()
    {
        var before = await Store.GetStatusAsync(Ct);

        var entry = await Create("/t/a", 1);

        Assert.Equal(before.Revision + 1, entry.ModRevision);
        Assert.Equal(entry.ModRevision, entry.CreateRevision);
        var read = await Store.GetAsync("/t/a", cancellationToken: Ct);
        Assert.NotNull(read);
        Assert.Equal(1, TestJson.Number(read.Value));
        Assert.Equal(entry.ModRevision, read.ModRevision);
        Assert.Equal(entry.ModRevision, (await Store.GetStatusAsync(Ct)).Revision);
    }

    [Fact]
    public async Task Create_ExistingKey_FailsWithKeyExists()
    {
        await Create("/t/a", 1);

        await ExpectError(StoreErrorCode.KeyExists, () => Create("/t/a", 2));

        Assert.Equal(1, TestJson.Number((await Store.GetAsync("/t/a", cancellationToken: Ct))!.Value));
    }

    [Fact]
    public async Task CreatesRacingForOneKey_TheLoserFindsTheWinnersWrite()
    {
        // concurrent creates land in one commit batch; a writer refused for a key that batch makes must find it
        for (var round = 0; round < 50; round++)
        {
            var key = $"/t/race/{round}";
            var creates = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
            {
                try
                {
                    await Create(key, i);
                    return true;
                }
                catch (StoreException e) when (e.Code == StoreErrorCode.KeyExists)
                {
                    Assert.NotNull(await Store.GetAsync(key, cancellationToken: Ct));
                    return false;
                }
            })).ToList();
            Assert.Equal(1, (await Task.WhenAll(creates)).Count(won => won));
        }
    }

    [Fact]
    public async Task Get_MissingKey_ReturnsNull() =>
        Assert.Null(await Store.GetAsync("/t/missing", cancellationToken: Ct));

    [Fact]
    public async Task Update_ExpectedRevision_ReplacesValueAndKeepsCreateRevision()
    {
        var created = await Create("/t/a", 1);
        await Create("/t/other", 0);

        var updated = await Update("/t/a", 2, created.ModRevision);

        Assert.Equal(created.CreateRevision, updated.CreateRevision);
        Assert.Equal(created.ModRevision + 2, updated.ModRevision);
        Assert.Equal(2, TestJson.Number((await Store.GetAsync("/t/a", cancellationToken: Ct))!.Value));
    }

    [Fact]
    public async Task Update_StaleRevision_FailsWithConflictAndChangesNothing()
    {
        var created = await Create("/t/a", 1);
        var updated = await Update("/t/a", 2, created.ModRevision);

        var error = await ExpectError(StoreErrorCode.Conflict, () => Update("/t/a", 3, created.ModRevision));

        Assert.Equal(updated.ModRevision, error.ActualRevision);
        Assert.Equal(2, TestJson.Number((await Store.GetAsync("/t/a", cancellationToken: Ct))!.Value));
    }

    [Fact]
    public async Task Update_WithoutExpectedRevision_AlwaysApplies()
    {
        await Create("/t/a", 1);
        await Update("/t/a", 2);

        var entry = await Update("/t/a", 3);

        Assert.Equal(3, TestJson.Number(entry.Value));
    }

    [Fact]
    public async Task Update_MissingKey_FailsWithKeyNotFound() =>
        await ExpectError(StoreErrorCode.KeyNotFound, () => Update("/t/missing", 1));

    [Fact]
    public async Task Delete_ReturnsLastValueAtDeletionRevision()
    {
        var created = await Create("/t/a", 7);

        var deleted = await Store.DeleteAsync("/t/a", created.ModRevision, Ct);

        Assert.Equal(7, TestJson.Number(deleted.Value));
        Assert.Equal(created.ModRevision + 1, deleted.ModRevision);
        Assert.Equal(created.CreateRevision, deleted.CreateRevision);
        Assert.Null(await Store.GetAsync("/t/a", cancellationToken: Ct));
    }

    [Fact]
    public async Task Delete_StaleRevision_FailsWithConflictAndKeepsKey()
    {
        var created = await Create("/t/a", 1);
        await Update("/t/a", 2);

        await ExpectError(StoreErrorCode.Conflict, () => Store.DeleteAsync("/t/a", created.ModRevision, Ct));

        Assert.NotNull(await Store.GetAsync("/t/a", cancellationToken: Ct));
    }

    [Fact]
    public async Task Delete_MissingKey_FailsWithKeyNotFound() =>
        await ExpectError(StoreErrorCode.KeyNotFound, () => Store.DeleteAsync("/t/missing", null, Ct));

    [Fact]
    public async Task Create_AfterDelete_StartsNewLife()
    {
        var first = await Create("/t/a", 1);
        await Store.DeleteAsync("/t/a", null, Ct);

        var second = await Create("/t/a", 2);

        Assert.True(second.CreateRevision > first.CreateRevision);
        Assert.Equal(second.ModRevision, second.CreateRevision);
    }

    [Fact]
    public async Task RacingUpdates_OnOneKey_ExactlyOneWins()
    {
        var created = await Create("/t/race", 0);

        var attempts = Enumerable.Range(1, 16).Select(async n =>
        {
            try
            {
                await Update("/t/race", n, created.ModRevision);
                return (StoreErrorCode?)null;
            }
            catch (StoreException e)
            {
                return e.Code;
            }
        });
        var outcomes = await Task.WhenAll(attempts);

        Assert.Single(outcomes, o => o is null);
        Assert.All(outcomes.Where(o => o is not null), o => Assert.Equal(StoreErrorCode.Conflict, o));
    }

    [Fact]
    public async Task RacingCreates_OfOneKey_ExactlyOneWins()
    {
        var attempts = Enumerable.Range(1, 16).Select(async n =>
        {
            try
            {
                await Create("/t/race", n);
                return (StoreErrorCode?)null;
            }
            catch (StoreException e)
            {
                return e.Code;
            }
        });
        var outcomes = await Task.WhenAll(attempts);

        Assert.Single(outcomes, o => o is null);
        Assert.All(outcomes.Where(o => o is not null), o => Assert.Equal(StoreErrorCode.KeyExists, o));
    }

    [Fact]
    public async Task ConcurrentWrites_TakeDistinctConsecutiveRevisions()
    {
        var before = (await Store.GetStatusAsync(Ct)).Revision;

        var entries = await Task.WhenAll(Enumerable.Range(0, 200).Select(n => Create($"/t/k{n:D3}", n)));

        var revisions = entries.Select(e => e.ModRevision).Order().ToArray();
        Assert.Equal(Enumerable.Range(1, 200).Select(i => before + i), revisions);
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-slash")]
    [InlineData("/has space")]
    [InlineData("/trailing/")]
    [InlineData("/tab\there")]
    [InlineData("/ünicode")]
    public async Task Create_MalformedKey_FailsWithInvalidArgument(string key) =>
        await ExpectError(StoreErrorCode.InvalidArgument, () => Store.CreateAsync(key, TestJson.Doc("{}"), Ct));

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{} {}")]
    [InlineData("not json")]
    public async Task Create_ValueNotOneJsonDocument_FailsWithInvalidArgument(string value) =>
        await ExpectError(StoreErrorCode.InvalidArgument, () => Store.CreateAsync("/t/a", TestJson.Doc(value), Ct));

    [Fact]
    public async Task Create_ValueWithInvalidUtf8_FailsWithInvalidArgument() =>
        await ExpectError(StoreErrorCode.InvalidArgument, () => Store.CreateAsync("/t/a", new byte[] { (byte)'"', 0xFF, (byte)'"' }, Ct));

    [Fact]
    public async Task Create_ValueOverLimit_FailsWithInvalidArgument()
    {
        var big = TestJson.Doc(new { data = new string('x', StoreValues.MaxValueBytes) });

        await ExpectError(StoreErrorCode.InvalidArgument, () => Store.CreateAsync("/t/a", big, Ct));
    }
}
