using System.Threading.Channels;
using Berth.Registry.Content;
using Berth.Registry.Storage;
using Berth.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Berth.Aws.Ecr;

/// <summary>
/// Applies every repository's lifecycle policy: at once when a policy is put, and then every <see cref="Interval"/>
/// (ECR promises within a day; here an expired image goes within minutes), deleting the images the policy expires.
/// </summary>
public sealed partial class LifecyclePolicyController(
    Repositories repositories, Images images, RepositoryContent content, TimeProvider time, ILogger<LifecyclePolicyController> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Asks for a pass now, after a policy was put.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Applies the policy of every repository that has one; returns how many images were expired.</summary>
    public async Task<int> ApplyAllAsync(CancellationToken cancellationToken)
    {
        var expired = 0;
        foreach (var repository in await repositories.ListAllAsync(cancellationToken))
        {
            if (repository.LifecyclePolicyText is { } text)
            {
                expired += await ApplyAsync(repository, LifecyclePolicy.Parse(text), cancellationToken);
            }
        }
        return expired;
    }

    private async Task<int> ApplyAsync(Repository repository, LifecyclePolicy policy, CancellationToken cancellationToken)
    {
        var view = EcrRegistryAccess.RegistryView(repository);
        var now = time.GetUtcNow();
        var candidates = (await images.ListAsync(view, cancellationToken))
            .Select(i => new LifecyclePolicy.Candidate(i.Manifest.Digest, i.Tags, i.Manifest.PushedAt));
        var expired = policy.Expired(candidates, now);
        foreach (var digest in expired)
        {
            await content.DeleteManifestAsync(view, Digest.Parse(digest), cancellationToken);
            LogExpired(logger, repository.Name, digest);
        }
        await repositories.UpdateAsync(repository.AccountId, repository.Region, repository.Name, r => r with { LifecyclePolicyEvaluatedAt = now }, cancellationToken);
        return expired.Count;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ApplyAllAsync(stoppingToken);
            }
            catch (Exception e) when (e is StoreException or Endpoint.AwsException)
            {
                LogFailed(logger, e);
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(Interval);
            try
            {
                await _wake.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // the interval passed without a wake-up: the periodic pass
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Lifecycle policy of repository {Repository} expired image {Digest}")]
    private static partial void LogExpired(ILogger logger, string repository, string digest);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Applying lifecycle policies failed; they are applied again at the next pass")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
