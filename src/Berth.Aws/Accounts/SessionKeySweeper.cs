using Berth.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Berth.Aws.Accounts;

/// <summary>Deletes role sessions' temporary keys once they have expired, so the store does not keep every session ever made.</summary>
internal sealed partial class SessionKeySweeper(AccessKeys keys, TimeProvider time, ILogger<SessionKeySweeper> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await keys.DeleteExpiredAsync(time.GetUtcNow(), stoppingToken);
            }
            catch (StoreException e)
            {
                // an expired key is refused when used: a failed sweep costs only space until the next one
                LogFailed(logger, e);
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Deleting expired session keys failed; trying again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
