using Berth.Kube.Api;
using Berth.Store;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers;

/// <summary>
/// What every controller does the same way: an informer feeding a work queue, and a worker that reconciles one
/// key at a time. A key whose reconcile fails is retried with backoff, and logged unless the object only changed
/// underneath the write (Conflict) or went away (NotFound), which a newer copy from the informer settles.
/// </summary>
internal static partial class ControllerLoop
{
    public static Task RunAsync(string name, ObjectInformer informer, WorkQueue<string> queue,
        Func<string, CancellationToken, Task> reconcile, ILogger logger, CancellationToken cancellationToken) =>
        RunAsync(name, [informer], queue, reconcile, logger, cancellationToken);

    /// <summary>The same, for a controller that watches several kinds: work starts once every informer has listed.</summary>
    public static async Task RunAsync(string name, IReadOnlyList<ObjectInformer> informers, WorkQueue<string> queue,
        Func<string, CancellationToken, Task> reconcile, ILogger logger, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watching = informers.Select(i => i.RunAsync(stop.Token)).ToList();
        try
        {
            // an informer that ends before all have listed ends the wait too
            await Task.WhenAny(watching.Append(Task.WhenAll(informers.Select(i => i.Synced))));
            var working = WorkAsync(name, queue, reconcile, logger, stop.Token);
            await Task.WhenAny(watching.Append(working));
            await stop.CancelAsync();
            await Task.WhenAll(watching.Append(working)); // surfaces the failure that ended any of them
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // stopping
        }
        catch (StoreException e) when (e.Code == StoreErrorCode.Unavailable && cancellationToken.IsCancellationRequested)
        {
            // the store closed as the server stopped
        }
    }

    private static async Task WorkAsync(string name, WorkQueue<string> queue, Func<string, CancellationToken, Task> reconcile,
        ILogger logger, CancellationToken cancellationToken)
    {
        while (true)
        {
            var key = await queue.TakeAsync(cancellationToken);
            try
            {
                await reconcile(key, cancellationToken);
                queue.Done(key);
            }
            catch (KubeApiException e) when (e.Reason is "Conflict" or "NotFound")
            {
                queue.Retry(key); // the informer's copy was stale: again, soon, from a newer one
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogReconcileFailed(logger, e, name, key);
                queue.Retry(key);
            }
        }
    }

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "{Controller} could not reconcile {Key}; retrying")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception, string controller, string key);
}
