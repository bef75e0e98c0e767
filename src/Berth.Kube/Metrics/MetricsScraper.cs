using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Controllers;
using Berth.Kube.Kubelet;
using Berth.Kube.Resources;
using Berth.Store;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Metrics;

/// <summary>
/// metrics-server's scraper: every <see cref="KubeApiOptions.MetricResolution"/> it reads <c>/stats/summary</c> from
/// every node's agent, at most <see cref="Parallelism"/> at once, and keeps the readings in <see cref="UsageSamples"/>.
/// It reads only while usage is wanted (asked for in the last ten minutes), so clusters where no one looks
/// at metrics, such as scale tests of thousands of simulated nodes, pay nothing for them.
/// </summary>
internal sealed partial class MetricsScraper(SharedInformers informers, ResourceRegistry registry, KubeletConnections kubelets, UsageSamples samples,
    KubeApiOptions options, string cluster, TimeProvider time, ILogger<MetricsScraper> logger) : IController
{
    private const int Parallelism = 16;
    private const int MaxSummaryBytes = 16 * 1024 * 1024;
    private static readonly TimeSpan s_idleAfter = TimeSpan.FromMinutes(10);

    /// <summary>How long an agent may take to answer (metrics-server's <c>--kubelet-request-timeout</c>).</summary>
    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromSeconds(10);

    public string Name => "metrics-scraper";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var nodes = informers.Watch(ObjectStorage.Prefix(cluster, registry.Find("", "v1", "nodes")!, null), change =>
        {
            if (change.New is null && change.Old?["metadata"]?["name"].AsText() is { } gone)
            {
                samples.Forget(gone);
            }
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watching = nodes.RunAsync(stop.Token);
        try
        {
            await Task.WhenAny(watching, nodes.Synced);
            var scraping = ScrapeLoopAsync(nodes, stop.Token);
            await Task.WhenAny(watching, scraping);
            await stop.CancelAsync();
            await Task.WhenAll(watching, scraping); // surfaces the failure that ended either
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

    private async Task ScrapeLoopAsync(ObjectInformer nodes, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!samples.Wanted(s_idleAfter))
            {
                await samples.WaitWantedAsync(cancellationToken);
            }
            await Parallel.ForEachAsync(nodes.Objects.Select(n => n.Value).ToList(),
                new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, ScrapeAsync);
            await Task.Delay(options.MetricResolution, time, cancellationToken);
        }
    }

    private async ValueTask ScrapeAsync(JsonObject node, CancellationToken cancellationToken)
    {
        var name = node["metadata"]?["name"].AsText() ?? "";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(s_requestTimeout);
        try
        {
            var summary = await kubelets.GetJsonAsync(KubeletConnections.AgentUri(node, "/stats/summary"), MaxSummaryBytes, deadline.Token) as JsonObject
                ?? throw new KubeApiException(500, "InternalError", "the node agent's summary is not a JSON object");
            var (nodePoint, pods) = SummaryReading.Read(summary);
            samples.Record(name, nodePoint, pods);
        }
        catch (Exception e) when (e is KubeApiException or FormatException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            samples.Forget(name);
            LogScrapeFailed(logger, name, e.Message);
        }
    }

    [LoggerMessage(EventId = 3801, Level = LogLevel.Debug, Message = "Could not read resource usage from node {Node}: {Reason}")]
    private static partial void LogScrapeFailed(ILogger logger, string node, string reason);
}
