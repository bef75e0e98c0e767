// The store benchmark: every figure is printed as a ratio against raw SQLite single-row transactional
// inserts (WAL, synchronous=FULL, like the store) measured in the same run on the same disk. The
// baseline and the store's sequential creates alternate in rounds, so a disk that speeds up or slows
// down during the run affects both alike.
// Usage: dotnet run -c Release --project bench/store [-- --operations N --rounds N --watchers N --events N]
using Berth.Bench;
using Berth.Bench.Store;
using Berth.Store.Sqlite;

var settings = BenchSettings.Parse(args);
using var scratch = new Scratch();
var report = new Report(settings);

var perRound = settings.Operations / settings.Rounds;
var baselineRounds = new List<Measurement>();
var createRounds = new List<Measurement>();
using (var raw = new RawInserts(scratch.File("raw-insert.db")))
{
    await using var store = SqliteStore.Open(new SqliteStoreOptions { Path = scratch.File("store.db") });
    // Warm-up, not counted: JIT, first pages of each file.
    raw.Run(perRound / 2);
    await StoreRuns.CreateAsync(store, settings.Operations, perRound / 2);
    for (var round = 0; round < settings.Rounds; round++)
    {
        baselineRounds.Add(raw.Run(perRound));
        createRounds.Add(await StoreRuns.CreateAsync(store, round * perRound, perRound));
    }
    var insert = Measurement.Combine(baselineRounds);
    report.Baseline("raw SQLite single-row insert transactions", insert);
    report.Ratio("store create, one at a time", Measurement.Combine(createRounds), insert, target: 0.5);

    var results = await StoreRuns.RunAsync(store, scratch, settings with { Operations = perRound * settings.Rounds });
    report.Ratio($"store create, {settings.Concurrency} in flight (group commit)", results.CreateConcurrent, insert);
    report.Ratio("store update with expected revision", results.UpdateSequential, insert);
    report.Ratio("store get (vs insert)", results.Get, insert);
    report.Ratio("store get (vs raw SQLite point select)", results.Get,
        RawSqlite.PointSelects(scratch.File("raw-select.db"), settings.Operations));

    var watch = await WatchRun.RunAsync(scratch.File("watch.db"), settings);
    report.Latency($"watch delivery to {settings.Watchers} watchers", watch, insert, targetP99Ms: 10);
}
return report.Print();
