using System.Collections.Concurrent;
using Berth.Store;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers;

/// <summary>
/// The server's one <see cref="SharedInformer"/> per watched prefix, each started when first asked for and
/// kept running until the server stops, as client-go's SharedInformerFactory does for a controller manager.
/// </summary>
internal sealed partial class SharedInformers(IStore store, TimeProvider time, ILogger<SharedInformers> logger) : IDisposable
{
    private static readonly TimeSpan s_retryDelay = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Lazy<SharedInformer>> _informers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();

    /// <summary>A controller's view of the objects under <paramref name="prefix"/>, its changes sent to <paramref name="onChange"/>.</summary>
    public ObjectInformer Watch(string prefix, Action<ObjectChange> onChange) => new(For(prefix), onChange);

    /// <summary>
    /// An informer of the controller's own, for one that reads only part (<paramref name="decode"/>) of many objects
    /// no other controller watches as a whole, or that runs outside any cluster; it lists and watches while the
    /// controller runs.
    /// </summary>
    public ObjectInformer WatchUnshared(string prefix, Action<ObjectChange> onChange, ObjectDecoder? decode = null) =>
        new(new SharedInformer(store, prefix, decode), onChange, runsSource: true);

    private SharedInformer For(string prefix) =>
        _informers.GetOrAdd(prefix, p => new Lazy<SharedInformer>(() => Start(new SharedInformer(store, p)))).Value;

    private SharedInformer Start(SharedInformer informer)
    {
        _ = KeepRunningAsync(informer, _stop.Token);
        return informer;
    }

    /// <summary>A shared informer outlives any one controller: a failure is logged and the list and watch start over.</summary>
    private async Task KeepRunningAsync(SharedInformer informer, CancellationToken cancellationToken)
    {
        await Task.Yield();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await informer.RunAsync(cancellationToken);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return; // the server is stopping; the store may already be closed
            }
            catch (Exception e)
            {
                LogInformerFailed(logger, e, informer.Prefix);
            }
            try
            {
                await Task.Delay(s_retryDelay, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Stops every informer; the token stays usable for the loops still finishing, so it is not disposed.</summary>
    public void Dispose() => _stop.Cancel();

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "The informer of {Prefix} failed; listing and watching again")]
    private static partial void LogInformerFailed(ILogger logger, Exception exception, string prefix);
}
