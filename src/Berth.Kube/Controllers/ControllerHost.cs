using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers;

/// <summary>
/// Runs the controllers beside the API, as kube-controller-manager runs beside kube-apiserver. A controller that
/// fails is logged and started again after a pause, so one fault does not stop the others.
/// </summary>
internal sealed partial class ControllerHost(IEnumerable<IController> controllers, TimeProvider time, ILogger<ControllerHost> logger) : BackgroundService
{
    private static readonly TimeSpan s_restartDelay = TimeSpan.FromSeconds(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(controllers.Select(c => KeepRunningAsync(c, stoppingToken)));

    private async Task KeepRunningAsync(IController controller, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await controller.RunAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogControllerFailed(logger, e, controller.Name);
            }
            try
            {
                await Task.Delay(s_restartDelay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Controller {Controller} failed; restarting it")]
    private static partial void LogControllerFailed(ILogger logger, Exception exception, string controller);
}
