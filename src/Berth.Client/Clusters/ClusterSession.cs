using System.Text.Json.Nodes;
using Berth.Client.Aws;
using Berth.Client.Output;

namespace Berth.Client.Clusters;

/// <summary>
/// What a cluster command works with: the AWS APIs (one signed client), the log, and the clock; and the waits of
/// eksctl, polling a Describe until the resource reaches the state asked for or one it cannot leave.
/// </summary>
public sealed class ClusterSession(AwsClient client, ProgressLog log, TimeProvider time)
{
    /// <summary>How often a wait asks again: Berth's resources change in seconds, not EKS's minutes.</summary>
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(500);

    public EksApi Eks { get; } = new(client);

    public IamApi Iam { get; } = new(client);

    public StsApi Sts { get; } = new(client);

    public Ec2Api Ec2 { get; } = new(client);

    public AwsClient Client => client;

    public ProgressLog Log => log;

    public TimeProvider Time => time;

    /// <summary>The settings EKS requests are made with (region, credentials), which name the cluster's place.</summary>
    public AwsSettings EksSettings => client.Settings("eks");

    /// <summary>
    /// Polls <paramref name="describe"/> until its status is <paramref name="wanted"/> (null: until it is gone); a
    /// status in <paramref name="failed"/> ends the wait with the resource's health issues.
    /// </summary>
    public async Task<JsonObject?> WaitForAsync(string what, Func<CancellationToken, Task<JsonObject?>> describe, string? wanted, string[] failed,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        JsonObject? current = null;
        await WaitUntilAsync(what, async ct =>
        {
            current = await describe(ct);
            var status = current?["status"]?.GetValue<string>();
            if (status == wanted || (wanted is null && current is null))
            {
                return true;
            }
            if (current is null)
            {
                throw new ClusterCommandException($"{what}: it no longer exists");
            }
            if (failed.Contains(status))
            {
                var issues = (current["health"]?["issues"] as JsonArray ?? []).Select(i => i?["message"]?.GetValue<string>()).Where(m => m is not null);
                throw new ClusterCommandException($"{what}: status is {status}{(issues.Any() ? ": " + string.Join("; ", issues) : "")}");
            }
            return false;
        }, timeout, cancellationToken);
        return current;
    }

    /// <summary>Asks <paramref name="done"/> again and again, with a spinner saying what is awaited, until it says yes or the time is up.</summary>
    public Task WaitUntilAsync(string what, Func<CancellationToken, Task<bool>> done, TimeSpan timeout, CancellationToken cancellationToken) =>
        log.WaitAsync($"waiting for {what}", async () =>
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                while (!await done(deadline.Token))
                {
                    await Task.Delay(s_poll, time, deadline.Token);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ClusterCommandException($"timed out after {timeout.TotalMinutes:0} minutes waiting for {what}");
            }
        });
}

/// <summary>A cluster command cannot go on; its message is the one line the user reads.</summary>
public sealed class ClusterCommandException(string message) : Exception(message);
