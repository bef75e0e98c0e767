namespace Berth.Kube.Controllers.Workloads;

/// <summary>
/// Many creations in batches of 1, 2, 4 … while they succeed, as Kubernetes' controllers start pods: a template the
/// API refuses costs one error rather than hundreds.
/// </summary>
internal static class SlowStart
{
    /// <summary>Makes <paramref name="count"/> calls of <paramref name="create"/> (given 0 … count−1); returns how many did not succeed or never ran.</summary>
    public static async Task<int> RunAsync(int count, Func<int, Task<bool>> create)
    {
        var done = 0;
        for (var batch = 1; done < count; batch *= 2)
        {
            var size = Math.Min(batch, count - done);
            var first = done;
            var results = await Task.WhenAll(Enumerable.Range(first, size).Select(create));
            done += size;
            if (results.Any(ok => !ok))
            {
                return results.Count(ok => !ok) + count - done;
            }
        }
        return 0;
    }
}
