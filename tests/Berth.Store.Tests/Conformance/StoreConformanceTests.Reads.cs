namespace Berth.Store.Tests.Conformance;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task List_Prefix_ReturnsOnlyKeysUnderIt_InKeyOrder()
    {
        foreach (var key in new[] { "/p/b/2", "/p/b/1", "/p/bc/1", "/p/a/1", "/q/b/1" })
        {
            await Create(key, 0);
        }

        var result = await Store.ListAsync("/p/b/", cancellationToken: Ct);

        Assert.Equal(["/p/b/1", "/p/b/2"], result.Items.Select(i => i.Key));
        Assert.Null(result.Continue);
        Assert.Equal((await Store.GetStatusAsync(Ct)).Revision, result.Revision);
    }

    [Fact]
    public async Task List_Pages_AreAllReadAtTheFirstPagesRevision()
    {
        for (var n = 0; n < 5; n++)
        {
            await Create($"/p/k{n}", n);
        }

        var first = await Store.ListAsync("/p/", new ListOptions(Limit: 2), Ct);
        await Update("/p/k3", 30);
        await Store.DeleteAsync("/p/k4", null, Ct);
        await Create("/p/k5", 5);
        var second = await Store.ListAsync("/p/", new ListOptions(Limit: 2, Continue: first.Continue), Ct);
        var third = await Store.ListAsync("/p/", new ListOptions(Limit: 2, Continue: second.Continue), Ct);

        Assert.Equal(["/p/k0", "/p/k1"], first.Items.Select(i => i.Key));
        Assert.Equal(["/p/k2", "/p/k3"], second.Items.Select(i => i.Key));
        Assert.Equal(3, TestJson.Number(second.Items[1].Value));
        Assert.Equal(["/p/k4"], third.Items.Select(i => i.Key));
        Assert.Null(third.Continue);
        Assert.All([second, third], page => Assert.Equal(first.Revision, page.Revision));
    }

    [Fact]
    public async Task List_Limit_ExactlyFilled_HasNoContinue()
    {
        await Create("/p/a", 1);
        await Create("/p/b", 2);

        var page = await Store.ListAsync("/p/", new ListOptions(Limit: 2), Ct);

        Assert.Equal(2, page.Items.Count);
        Assert.Null(page.Continue);
    }

    [Fact]
    public async Task List_AtRevision_ShowsThePast()
    {
        await Create("/p/a", 1);
        var atB = await Create("/p/b", 2);
        await Update("/p/a", 10);
        await Store.DeleteAsync("/p/b", null, Ct);
        await Create("/p/c", 3);

        var past = await Store.ListAsync("/p/", new ListOptions(Revision: atB.ModRevision), Ct);

        Assert.Equal(atB.ModRevision, past.Revision);
        Assert.Equal(["/p/a", "/p/b"], past.Items.Select(i => i.Key));
        Assert.Equal([1, 2], past.Items.Select(i => TestJson.Number(i.Value)));
    }

    [Fact]
    public async Task Get_AtRevision_ShowsThePast()
    {
        var v1 = await Create("/t/a", 1);
        await Update("/t/a", 2);
        var gone = await Store.DeleteAsync("/t/a", null, Ct);

        var then = await Store.GetAsync("/t/a", v1.ModRevision, Ct);
        var afterDelete = await Store.GetAsync("/t/a", gone.ModRevision, Ct);

        Assert.Equal(1, TestJson.Number(then!.Value));
        Assert.Equal(v1.ModRevision, then.ModRevision);
        Assert.Null(afterDelete);
    }

    [Fact]
    public async Task Read_AtFutureRevision_FailsWithFutureRevision()
    {
        var entry = await Create("/t/a", 1);

        await ExpectError(StoreErrorCode.FutureRevision, () => Store.GetAsync("/t/a", entry.ModRevision + 5, Ct));
        await ExpectError(StoreErrorCode.FutureRevision,
            () => Store.ListAsync("/t/", new ListOptions(Revision: entry.ModRevision + 5), Ct));
    }

    [Theory]
    [InlineData("garbage!")]
    [InlineData("MTp4")]
    [InlineData("")]
    public async Task List_MalformedContinue_FailsWithInvalidArgument(string token) =>
        await ExpectError(StoreErrorCode.InvalidArgument,
            () => Store.ListAsync("/p/", new ListOptions(Limit: 1, Continue: token), Ct));

    [Fact]
    public async Task List_NegativeLimit_FailsWithInvalidArgument() =>
        await ExpectError(StoreErrorCode.InvalidArgument, () => Store.ListAsync("/p/", new ListOptions(Limit: -1), Ct));

    [Fact]
    public async Task List_ContinueFromAnotherPrefix_FailsWithInvalidArgument()
    {
        await Create("/p/a", 1);
        await Create("/p/b", 2);
        var page = await Store.ListAsync("/p/", new ListOptions(Limit: 1), Ct);

        await ExpectError(StoreErrorCode.InvalidArgument,
            () => Store.ListAsync("/q/", new ListOptions(Limit: 1, Continue: page.Continue), Ct));
    }

    [Fact]
    public async Task Compact_OldRevisionsBecomeTooOld_NewestStateStays()
    {
        var v1 = await Create("/t/a", 1);
        await Create("/t/b", 1);
        await Update("/t/a", 2);
        await Store.DeleteAsync("/t/b", null, Ct);
        var latest = await Update("/t/a", 3);
        var page = await Store.ListAsync("/t/", new ListOptions(Limit: 1, Revision: v1.ModRevision + 1), Ct);

        var compacted = await Store.CompactAsync(latest.ModRevision - 1, Ct);

        Assert.Equal(latest.ModRevision - 1, compacted);
        Assert.Equal(compacted, (await Store.GetStatusAsync(Ct)).CompactRevision);
        await ExpectError(StoreErrorCode.TooOld, () => Store.GetAsync("/t/a", v1.ModRevision, Ct));
        await ExpectError(StoreErrorCode.TooOld,
            () => Store.ListAsync("/t/", new ListOptions(Limit: 1, Continue: page.Continue), Ct));
        var atCompact = await Store.ListAsync("/t/", new ListOptions(Revision: compacted), Ct);
        Assert.Equal([2], atCompact.Items.Select(i => TestJson.Number(i.Value)));
        var now = await Store.ListAsync("/t/", cancellationToken: Ct);
        Assert.Equal([3], now.Items.Select(i => TestJson.Number(i.Value)));
    }

    [Fact]
    public async Task Compact_ManySteps_KeepsEveryLiveKey()
    {
        for (var n = 0; n < 50; n++)
        {
            await Create($"/t/k{n:D2}", n);
            await Update($"/t/k{n:D2}", n + 100);
            if (n % 5 == 0)
            {
                await Store.DeleteAsync($"/t/k{n:D2}", null, Ct);
            }
        }
        var status = await Store.GetStatusAsync(Ct);

        await Store.CompactAsync(status.Revision, Ct);

        var live = await Store.ListAsync("/t/", cancellationToken: Ct);
        Assert.Equal(40, live.Items.Count);
        Assert.All(live.Items, i => Assert.True(TestJson.Number(i.Value) >= 100));
        await Create("/t/after", 1);
        Assert.Equal(41, (await Store.ListAsync("/t/", cancellationToken: Ct)).Items.Count);
    }

    [Fact]
    public async Task Compact_ToFutureRevision_FailsWithFutureRevision()
    {
        var status = await Store.GetStatusAsync(Ct);

        await ExpectError(StoreErrorCode.FutureRevision, () => Store.CompactAsync(status.Revision + 1, Ct));
    }
}
