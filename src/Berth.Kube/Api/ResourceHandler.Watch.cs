using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kube.Resources;
using Berth.Store;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Api;

internal sealed partial class ResourceHandler
{
    /// <summary>How long a watch lasts when the client sets no timeout; clients re-watch from their last revision.</summary>
    private static readonly TimeSpan s_defaultWatchTimeout = TimeSpan.FromMinutes(30);

    /// <summary>
    /// A watch: newline-separated JSON events over a chunked response. Without a resourceVersion (or with "0")
    /// it starts with ADDED events for what exists, as kube-apiserver does. A label selector turns changes
    /// that move an object in or out of the selection into ADDED and DELETED.
    /// </summary>
    private async Task WatchAsync(HttpContext context, string cluster, ResourceType type, string? ns)
    {
        var query = context.Request.Query;
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"], type.Strategy.FieldLabels, type.Strategy.FieldLabelDefaults);
        var timeout = ParseInt(query["timeoutSeconds"], "timeoutSeconds") is > 0 and var seconds
            ? TimeSpan.FromSeconds(Math.Min(seconds, s_defaultWatchTimeout.TotalSeconds))
            : s_defaultWatchTimeout;
        // Everything the request says is checked before the stream opens, so a bad request gets its 400.
        var resourceVersion = NullIfEmpty(query["resourceVersion"]);
        long? requested = resourceVersion is null or "0" ? null : ParseRevision(resourceVersion);
        var table = KubeResponse.WantsTable(context);
        // Bookmarks tell a watcher of quiet resources how far the store has come, so it can resume without a relist.
        var bookmarks = QueryFlag.Parse(query["allowWatchBookmarks"]) == true && !table;
        var prefix = ObjectStorage.Prefix(cluster, type, ns);
        bool Selected(JsonObject obj) => labels.Matches(obj) && fields.Matches(obj);
        if (requested is { } wanted && (await store.GetStatusAsync(context.RequestAborted)).Revision is var newest && wanted > newest)
        {
            throw KubeApiException.TooLargeResourceVersion(wanted, newest);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        stop.CancelAfter(timeout);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(stop.Token);
        await context.Response.Body.FlushAsync(stop.Token); // headers out now: the client knows the watch is open
        var sink = new WatchSink(context, type, table, time);
        var pacing = bookmarks ? PaceBookmarksAsync(timeout, stop.Token) : Task.CompletedTask;
        try
        {
            await StreamAsync(context, type, prefix, requested, resourceVersion, sink, Selected, bookmarks, stop);
        }
        finally
        {
            await stop.CancelAsync(); // however the stream ended, the pacing ends with it
            await pacing;
        }
    }

    private async Task StreamAsync(HttpContext context, ResourceType type, string prefix, long? requested, string? resourceVersion,
        WatchSink sink, Func<JsonObject, bool> selected, bool bookmarks, CancellationTokenSource stop)
    {
        long after;
        try
        {
            if (requested is not { } from)
            {
                var current = await store.ListAsync(prefix, cancellationToken: stop.Token);
                foreach (var obj in current.Items.Select(e => ObjectStorage.Decode(type, e)).Where(selected))
                {
                    await sink.SendAsync("ADDED", obj, stop.Token);
                }
                after = current.Revision;
            }
            else
            {
                after = from;
            }

            await foreach (var e in store.WatchAsync(prefix, after, stop.Token))
            {
                if (e.Type == WatchEventType.Progress)
                {
                    if (bookmarks)
                    {
                        await sink.SendBookmarkAsync(e.Revision, stop.Token);
                    }
                    continue;
                }
                var now = ObjectStorage.Decode(type, e.Entry);
                var before = e.PrevValue.IsEmpty ? null : ObjectStorage.Decode(type, e.PrevValue, e.Revision);
                var (eventType, obj) = e.Type switch
                {
                    WatchEventType.Added => selected(now) ? ("ADDED", now) : (null, now),
                    WatchEventType.Deleted => selected(now) ? ("DELETED", now) : (null, now),
                    _ => (before is not null && selected(before), selected(now)) switch
                    {
                        (true, true) => ("MODIFIED", now),
                        (false, true) => ("ADDED", now),
                        (true, false) => ("DELETED", now),
                        _ => (null, now),
                    },
                };
                if (eventType is not null)
                {
                    await sink.SendAsync(eventType, obj, stop.Token);
                }
            }
        }
        catch (StoreException e) when (e.Code == StoreErrorCode.TooOld)
        {
            // Said inside the stream, as kube-apiserver does, so clients relist.
            await sink.SendErrorAsync(StatusResponse.Failure(410, "Expired", $"too old resource version: {resourceVersion}", null), context.RequestAborted);
        }
        catch (StoreException e) when (e.Code != StoreErrorCode.TooOld && !stop.IsCancellationRequested)
        {
            await sink.SendErrorAsync(StatusResponse.Failure(500, "InternalError", $"the watch ended: {e.Message}", null), context.RequestAborted);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the watch timed out or the client went away: the stream simply ends
        }
    }

    /// <summary>
    /// Asks for watch progress while a watch that wants bookmarks runs: every minute, as kube-apiserver sends them,
    /// or twice in a shorter watch, so the last comes before it times out.
    /// </summary>
    private async Task PaceBookmarksAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, Math.Min(TimeSpan.FromMinutes(1).Ticks, timeout.Ticks / 2)));
        try
        {
            while (true)
            {
                await Task.Delay(period, time, cancellationToken);
                progress.Request();
            }
        }
        catch (OperationCanceledException)
        {
            // the watch ended
        }
    }

    /// <summary>Writes watch events, as plain objects or as one-row Tables, and flushes each.</summary>
    private sealed class WatchSink(HttpContext context, ResourceType type, bool table, TimeProvider time)
    {
        private bool _sentColumns;

        public Task SendAsync(string eventType, JsonObject obj, CancellationToken cancellationToken)
        {
            JsonNode payload = obj;
            if (table)
            {
                payload = TablePrinter.Print(type, [obj], obj["metadata"]?["resourceVersion"].AsText(), null, time.GetUtcNow(), withColumns: !_sentColumns);
                _sentColumns = true;
            }
            return WriteAsync(new JsonObject { ["type"] = eventType, ["object"] = payload }, cancellationToken);
        }

        /// <summary>A BOOKMARK: an object of the kind that carries only the revision the watch has reached.</summary>
        public Task SendBookmarkAsync(long revision, CancellationToken cancellationToken) =>
            WriteAsync(new JsonObject
            {
                ["type"] = "BOOKMARK",
                ["object"] = new JsonObject
                {
                    ["kind"] = type.Kind,
                    ["apiVersion"] = type.ApiVersion,
                    ["metadata"] = new JsonObject { ["resourceVersion"] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                },
            }, cancellationToken);

        public Task SendErrorAsync(JsonObject status, CancellationToken cancellationToken) =>
            WriteAsync(new JsonObject { ["type"] = "ERROR", ["object"] = status }, cancellationToken);

        private async Task WriteAsync(JsonObject e, CancellationToken cancellationToken)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(e, KubeResponse.SerializerOptions);
            await context.Response.Body.WriteAsync(bytes, cancellationToken);
            await context.Response.Body.WriteAsync("\n"u8.ToArray(), cancellationToken);
            await context.Response.Body.FlushAsync(cancellationToken);
        }
    }
}
