using System.CommandLine;
using System.Net;
using Berth.Server;
using Berth.Store;

namespace Berth.Cli;

internal static class ServerCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string?>("--data-dir")
        {
            Description = "Folder for Berth's data (default: $BERTH_DATA_DIR, else ~/.berth).",
        };
        var address = new Option<string>("--address")
        {
            Description = "Address to listen on; loopback unless you mean otherwise.",
            DefaultValueFactory = _ => IPAddress.Loopback.ToString(),
        };
        var port = new Option<int>("--port")
        {
            Description = "Port of the AWS endpoint (and, later, the registry and console).",
            DefaultValueFactory = _ => ServerOptions.DefaultPort,
        };
        var kubePort = new Option<int>("--kube-port")
        {
            Description = "HTTPS port of the Kubernetes API.",
            DefaultValueFactory = _ => Berth.Kube.KubeApiOptions.DefaultPort,
        };
        var accountId = new Option<string?>("--account-id")
        {
            Description = "AWS account id (12 digits) of a new data folder (default: $BERTH_ACCOUNT_ID, else 000000000000); fixed after the first start.",
        };
        var logFormat = new Option<LogFormat>("--log-format")
        {
            Description = "Log lines as text or as JSON objects.",
            DefaultValueFactory = _ => LogFormat.Text,
        };
        var metricResolution = DurationOption.Create("--metric-resolution",
            "How often node agents are read for resource metrics (kubectl top, autoscaling).", Berth.Kube.KubeApiOptions.DefaultMetricResolution);
        var autoscalerSync = DurationOption.Create("--horizontal-pod-autoscaler-sync-period",
            "How often each HorizontalPodAutoscaler is reconciled.", Berth.Kube.KubeApiOptions.DefaultHorizontalPodAutoscalerSyncPeriod);
        var instanceRuntime = new Option<string>("--instance-runtime")
        {
            Description = "How the nodes of EC2 instances run pods: podman (real containers) or simulated (none, for scale tests).",
            DefaultValueFactory = _ => "podman",
        };
        instanceRuntime.AcceptOnlyFromAmong("podman", "simulated");
        var command = new Command("server", "Run the Berth server: the store, the APIs and the controllers.")
        {
            dataDir, address, port, kubePort, accountId, logFormat, metricResolution, autoscalerSync, instanceRuntime,
        };
        address.Validators.Add(result =>
        {
            if (!IPAddress.TryParse(result.GetValueOrDefault<string>(), out _))
            {
                result.AddError($"'{result.GetValueOrDefault<string>()}' is not an IP address");
            }
        });
        foreach (var option in new[] { port, kubePort })
        {
            option.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int>() is < 0 or > 65535)
                {
                    result.AddError($"{option.Name} must be between 0 and 65535");
                }
            });
        }

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var options = new ServerOptions
            {
                DataDirectory = DataDirectory.Resolve(parseResult.GetValue(dataDir)),
                Address = IPAddress.Parse(parseResult.GetValue(address)!),
                Port = parseResult.GetValue(port),
                KubePort = parseResult.GetValue(kubePort),
                LogFormat = parseResult.GetValue(logFormat),
                AccountId = parseResult.GetValue(accountId) is { Length: > 0 } given ? given : Environment.GetEnvironmentVariable("BERTH_ACCOUNT_ID") is { Length: > 0 } fromEnvironment ? fromEnvironment : null,
                MetricResolution = parseResult.GetValue(metricResolution),
                HorizontalPodAutoscalerSyncPeriod = parseResult.GetValue(autoscalerSync),
                InstanceRuntime = parseResult.GetValue(instanceRuntime)!,
            };
            var error = parseResult.InvocationConfiguration.Error;
            try
            {
                await BerthServer.RunAsync(options, cancellationToken);
                return ExitCodes.Ok;
            }
            catch (Berth.Aws.Accounts.AccountIdException e)
            {
                await error.WriteLineAsync($"berth: {e.Message}");
                return ExitCodes.Failure;
            }
            catch (StoreOpenException e)
            {
                await error.WriteLineAsync($"berth: {e.Message}");
                return ExitCodes.StoreUnavailable;
            }
            catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await error.WriteLineAsync($"berth: cannot listen on {options.Address}:{options.Port}: {e.Message}");
                return ExitCodes.ListenFailed;
            }
        });
        return command;
    }
}
