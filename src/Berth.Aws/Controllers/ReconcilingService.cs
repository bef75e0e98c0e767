using System.Threading.Channels;
using Berth.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Berth.Aws.Controllers;

/// <summary>
/// The AWS side's controllers, level-triggered: whenever anything under the controller's prefixes changes (its own
/// resources, and those it waits on), and every resync period besides, it reconciles everything it looks after. Their
/// resources are few (clusters, node groups, instances), so a pass over all of them is cheap and never misses one.
/// A failed pass is logged and run again after a pause.
/// </summary>
internal abstract partial class ReconcilingService(IStore store, TimeProvider time, ILogger logger) : BackgroundService
{
    private static readonly TimeSpan s_retryDelay = TimeSpan.FromSeconds(1);

    private readonly Channel<bool> _dirty = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    protected TimeProvider Time => time;

    /// <summary>The store prefixes whose changes call for a pass.</summary>
    protected abstract IReadOnlyList<string> Prefixes { get; }

    /// <summary>How often a pass runs when nothing changed, for what the store does not announce (time passing, processes dying).</summary>
    protected virtual TimeSpan ResyncPeriod => TimeSpan.FromSeconds(30);

    protected abstract Task ReconcileAsync(CancellationToken cancellationToken);

    /// <summary>Asks for a pass soon, as a change under the prefixes does.</summary>
    protected void Trigger() => _dirty.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watches = Prefixes.Select(p => WatchAsync(p, stoppingToken)).ToList();
        Trigger();
        while (!stoppingToken.IsCancellationRequested)
        {
            using (var resync = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                resync.CancelAfter(ResyncPeriod);
                try
                {
                    await _dirty.Reader.ReadAsync(resync.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // the resync period passed
                }
            }
            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            try
            {
                await ReconcileAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogPassFailed(logger, e, GetType().Name);
                await Task.Delay(s_retryDelay, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                Trigger();
            }
        }
        await Task.WhenAll(watches);
    }

    /// <summary>Marks the controller dirty on every change under <paramref name="prefix"/>, watching again from a new revision when the watch ends.</summary>
    private async Task WatchAsync(string prefix, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var from = (await store.GetStatusAsync(stoppingToken)).Revision;
                Trigger(); // whatever happened before this revision
                await foreach (var _ in store.WatchAsync(prefix, from, stoppingToken))
                {
                    Trigger();
                }
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (StoreException e) when (e.Code == StoreErrorCode.TooOld)
            {
                // fell behind: start again from now, after a pass over everything
            }
            catch (Exception e)
            {
                LogWatchFailed(logger, e, GetType().Name, prefix);
                await Task.Delay(s_retryDelay, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Error, Message = "{Controller}: a reconcile pass failed; trying again")]
    private static partial void LogPassFailed(ILogger logger, Exception exception, string controller);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "{Controller}: the watch of {Prefix} failed; watching again")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception, string controller, string prefix);
}
