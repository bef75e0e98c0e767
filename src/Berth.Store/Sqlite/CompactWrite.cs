namespace Berth.Store.Sqlite;

/// <summary>One short step of a compaction: history before <paramref name="to"/> becomes unreadable.</summary>
internal sealed class CompactWrite(long to) : WriteRequest<long>
{
    public override string Operation => "compact";

    protected override long Execute(WriteContext context)
    {
        if (to > context.CompactRevision)
        {
            context.Compact(to);
        }
        return context.CompactRevision;
    }
}
