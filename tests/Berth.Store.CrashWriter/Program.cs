// Usage: Berth.Store.CrashWriter <database> <writers> <run>
// Opens the store and creates keys from several concurrent writers until killed. After each write is
// acknowledged it prints "ack <key> <revision>", so whoever kills it knows what must have survived.
using System.Text;
using Berth.Store.Sqlite;

await using var store = SqliteStore.Open(new SqliteStoreOptions { Path = args[0] });
var writers = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var run = args[2];
var output = Console.Out;
var gate = new object();
Console.WriteLine("ready");

await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
{
    for (var n = 0; ; n++)
    {
        var key = $"/crash/{run}/{w}/{n}";
        var entry = await store.CreateAsync(key, Encoding.UTF8.GetBytes($"{{\"w\":{w},\"n\":{n}}}"));
        lock (gate)
        {
            output.WriteLine($"ack {key} {entry.ModRevision}");
            output.Flush();
        }
    }
})));
