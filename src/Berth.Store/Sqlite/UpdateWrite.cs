namespace Berth.Store.Sqlite;

internal sealed class UpdateWrite(string key, byte[] value, long? expectedRevision) : WriteRequest<StoreEntry>
{
    public override string Operation => "update";

    protected override StoreEntry Execute(WriteContext context) =>
        context.Put(key, value, context.ReadCurrent(key, expectedRevision));
}
