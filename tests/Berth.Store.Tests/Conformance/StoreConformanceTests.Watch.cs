namespace Berth.Store.Tests.Conformance;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Watch_ReplaysHistoryThenStreamsLive()
    {
        var start = (await Store.GetStatusAsync(Ct)).Revision;
        await Create("/w/a", 1);
        await Create("/w/b", 2);
        await using var watch = new WatchReader(Store, "/w/", start);
        await watch.WaitForAsync(2);

        await Update("/w/a", 3);
        await Store.DeleteAsync("/w/b", null, Ct);
        var events = await watch.WaitForAsync(4);

        Assert.Equal(
            [(WatchEventType.Added, "/w/a"), (WatchEventType.Added, "/w/b"), (WatchEventType.Modified, "/w/a"), (WatchEventType.Deleted, "/w/b")],
            events.Select(e => (e.Type, e.Entry.Key)));
        Assert.Equal(Enumerable.Range(1, 4).Select(i => start + i), events.Select(e => e.Revision));
    }

    [Fact]
    public async Task Watch_Progress_TellsHowFarTheStoreHasCome_AfterEverythingBefore()
    {
        var start = (await Store.GetStatusAsync(Ct)).Revision;
        await using var watch = new WatchReader(Store, "/quiet/", start);
        await Create("/quiet/a", 1);
        await watch.WaitForAsync(1);
        await Create("/busy/1", 1);
        var newest = (await Create("/busy/2", 2)).ModRevision;

        Store.RequestWatchProgress();
        var events = await watch.WaitForAsync(2);

        Assert.Equal((WatchEventType.Added, "/quiet/a"), (events[0].Type, events[0].Entry.Key));
        Assert.Equal(WatchEventType.Progress, events[1].Type);
        Assert.Equal(newest, events[1].Revision);
    }

    [Fact]
    public async Task Watch_Events_CarryValuesAndPreviousValues()
    {
        var start = (await Store.GetStatusAsync(Ct)).Revision;
        await using var live = new WatchReader(Store, "/w/", start);
        await Create("/w/a", 1);
        await Update("/w/a", 2);
        await Store.DeleteAsync("/w/a", null, Ct);
        var liveEvents = await live.WaitForAsync(3);
        await using var replay = new WatchReader(Store, "/w/", start);
        var replayed = await replay.WaitForAsync(3);

        foreach (var events in new[] { liveEvents, replayed })
        {
            Assert.Equal(1, TestJson.Number(events[0].Entry.Value));
            Assert.True(events[0].PrevValue.IsEmpty);
            Assert.Equal(2, TestJson.Number(events[1].Entry.Value));
            Assert.Equal(1, TestJson.Number(events[1].PrevValue));
            Assert.Equal(WatchEventType.Deleted, events[2].Type);
            Assert.Equal(2, TestJson.Number(events[2].Entry.Value));
            Assert.Equal(2, TestJson.Number(events[2].PrevValue));
            Assert.Equal(events[0].Entry.CreateRevision, events[2].Entry.CreateRevision);
        }
    }

    [Fact]
    public async Task Watch_SeesOnlyItsPrefix()
    {
        var start = (await Store.GetStatusAsync(Ct)).Revision;
        await using var watch = new WatchReader(Store, "/w/x/", start);

        await Create("/w/y/1", 1);
        await Create("/w/xy/1", 1);
        await Create("/w/x/1", 1);
        await Create("/w/y/2", 1);
        await Create("/w/x/2", 1);

        var events = await watch.WaitForAsync(2);
        Assert.Equal(["/w/x/1", "/w/x/2"], events.Select(e => e.Entry.Key));
    }

    [Fact]
    public async Task Watch_AfterAcknowledgedWrite_StartsRightAfterIt()
    {
        var first = await Create("/w/a", 1);
        await Create("/w/b", 1);

        await using var watch = new WatchReader(Store, "/w/", first.ModRevision);
        var events = await watch.WaitForAsync(1);

        Assert.Equal("/w/b", Assert.Single(events).Entry.Key);
    }

    [Fact]
    public async Task Watch_ConcurrentWriters_EveryRevisionOnceInOrder()
    {
        var start = (await Store.GetStatusAsync(Ct)).Revision;
        await using var early = new WatchReader(Store, "/w/", start);

        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var n = 0; n < 150; n++)
            {
                var created = await Create($"/w/{w}/{n}", n);
                await Update($"/w/{w}/{n}", n + 1, created.ModRevision);
            }
        }, Ct));
        await using var midway = new WatchReader(Store, "/w/", start);
        await Task.WhenAll(writers);

        foreach (var watch in new[] { early, midway })
        {
            var events = await watch.WaitForAsync(1200);
            Assert.Equal(Enumerable.Range(1, 1200).Select(i => start + i), events.Select(e => e.Revision));
        }
    }

    [Fact]
    public async Task Watch_FromCompactedRevision_FailsWithTooOld()
    {
        var v1 = await Create("/w/a", 1);
        await Update("/w/a", 2);
        var v3 = await Update("/w/a", 3);
        await Store.CompactAsync(v3.ModRevision, Ct);

        await ExpectError(StoreErrorCode.TooOld, async () =>
        {
            await foreach (var e in Store.WatchAsync("/w/", v1.ModRevision, Ct))
            {
                Assert.Fail($"no event expected, got {e.Revision}");
            }
        });
    }

    [Fact]
    public async Task Watch_FromCompactRevision_Works()
    {
        await Create("/w/a", 1);
        var v2 = await Update("/w/a", 2);
        await Store.CompactAsync(v2.ModRevision, Ct);
        await using var watch = new WatchReader(Store, "/w/", v2.ModRevision);

        await Update("/w/a", 3);

        Assert.Equal(3, TestJson.Number(Assert.Single(await watch.WaitForAsync(1)).Entry.Value));
    }
}
