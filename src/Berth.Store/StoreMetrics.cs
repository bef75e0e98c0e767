using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Berth.Store;

/// <summary>
/// The store's instruments, on a <see cref="Meter"/> so the host chooses the exporter
/// (the server publishes them at /metrics, prefixed with the meter's name: <c>berth_store_operations_total</c>).
/// </summary>
internal static class StoreMetrics
{
    public const string MeterName = "Berth.Store";

    private static readonly Meter s_meter = new(MeterName);

    public static readonly Counter<long> Operations = s_meter.CreateCounter<long>(
        "operations_total", description: "Store operations by operation and result.");

    public static readonly Histogram<double> OperationDuration = s_meter.CreateHistogram<double>(
        "operation_duration_seconds", unit: "s", description: "Store operation latency.");

    public static readonly Histogram<long> CommitBatchSize = s_meter.CreateHistogram<long>(
        "commit_batch_size", description: "Writes committed together in one transaction.");

    public static readonly UpDownCounter<long> Watchers = s_meter.CreateUpDownCounter<long>(
        "watchers", description: "Live watches.");

    public static readonly Counter<long> WatchersDropped = s_meter.CreateCounter<long>(
        "watchers_dropped_total", description: "Watches ended because they fell too far behind.");

    public static readonly Counter<long> WatchEventsReplayed = s_meter.CreateCounter<long>(
        "watch_events_replayed_total", description: "Watch events read back from history rather than live.");

    /// <summary>Records one operation's outcome and latency, measured from <paramref name="startTimestamp"/>.</summary>
    public static void Record(string operation, long startTimestamp, StoreErrorCode? error)
    {
        var result = error?.ToString() ?? "Ok";
        Operations.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("result", result));
        OperationDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds,
            new KeyValuePair<string, object?>("operation", operation));
    }
}
