using System.Diagnostics;

namespace Berth.Bench.Pods;

/// <summary>The baseline: <c>podman create</c> then <c>podman start</c> of the same image and command, timed together.</summary>
internal sealed class RawPodman(PodmanCli podman, string image)
{
    /// <summary>Starts the containers all at once and returns each one's time to started, in milliseconds.</summary>
    public async Task<double[]> StartAsync(IReadOnlyList<string> names) =>
        await Task.WhenAll(names.Select(async name =>
        {
            var start = Stopwatch.GetTimestamp();
            await podman.RunAsync("create", "--name", name, image, "sleep", "3600");
            await podman.RunAsync("start", name);
            return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }));

    public Task RemoveAsync(IEnumerable<string> names) => podman.RunAsync(["rm", "-f", "-t", "0", .. names]);
}
