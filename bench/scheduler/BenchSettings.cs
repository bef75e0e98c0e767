using System.Globalization;

namespace Berth.Bench.Scheduler;

internal sealed record BenchSettings(IReadOnlyList<int> NodeCounts, int Pods, int Clients)
{
    public static BenchSettings Parse(string[] args)
    {
        var settings = new BenchSettings(NodeCounts: [1000, 5000], Pods: 10_000, Clients: 100);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            settings = args[i] switch
            {
                "--nodes" => settings with { NodeCounts = [.. args[i + 1].Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture))] },
                "--pods" => settings with { Pods = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--clients" => settings with { Clients = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return settings;
    }
}
