namespace Berth.Store.Sqlite;

internal sealed class DeleteWrite(string key, long? expectedRevision) : WriteRequest<StoreEntry>
{
    public override string Operation => "delete";

    protected override StoreEntry Execute(WriteContext context) =>
        context.Remove(context.ReadCurrent(key, expectedRevision));
}
