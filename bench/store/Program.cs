// The store benchmark: every figure is printed as a ratio against raw SQLite single-row transactional
// inserts (WAL, synchronous=FULL, like the store) measured in the same run on the same disk.
// Usage: dotnet run -c Release --project bench/store [-- --operations N --watchers N --events N]
using Berth.Bench.Store;

var settings = BenchSettings.Parse(args);
using var scratch = new Scratch();
var report = new Report(settings);

var insert = RawSqlite.Inserts(scratch.File("raw-insert.db"), settings.Operations);
var select = RawSqlite.PointSelects(scratch.File("raw-select.db"), settings.Operations);
report.Baseline("raw SQLite single-row insert transactions", insert);

var store = await StoreRuns.RunAsync(scratch, settings);
report.Ratio("store create, one at a time", store.CreateSequential, insert, target: 0.5);
report.Ratio($"store create, {settings.Concurrency} in flight (group commit)", store.CreateConcurrent, insert);
report.Ratio("store update with expected revision", store.UpdateSequential, insert);
report.Ratio("store get (vs insert)", store.Get, insert);
report.Ratio("store get (vs raw SQLite point select)", store.Get, select);

var watch = await WatchRun.RunAsync(scratch.File("watch.db"), settings);
report.Latency($"watch delivery to {settings.Watchers} watchers", watch, insert, targetP99Ms: 10);
return report.Print();
