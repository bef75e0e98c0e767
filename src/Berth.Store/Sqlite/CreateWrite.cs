namespace Berth.Store.Sqlite;

internal sealed class CreateWrite(string key, byte[] value) : WriteRequest<StoreEntry>
{
    public override string Operation => "create";

    protected override StoreEntry Execute(WriteContext context)
    {
        if (context.ReadCurrent(key) is not null)
        {
            throw new StoreException(StoreErrorCode.KeyExists, $"key '{key}' already exists");
        }
        return context.Put(key, value, previous: null);
    }
}
