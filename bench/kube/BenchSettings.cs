using System.Globalization;

namespace Berth.Bench.Kube;

internal sealed record BenchSettings(int Clients, int Pods, int Watchers, int Events, int WarmUp)
{
    public static BenchSettings Parse(string[] args)
    {
        var settings = new BenchSettings(Clients: 100, Pods: 10_000, Watchers: 100, Events: 200, WarmUp: 15_000);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            settings = args[i] switch
            {
                "--clients" => settings with { Clients = value },
                "--pods" => settings with { Pods = value },
                "--watchers" => settings with { Watchers = value },
                "--events" => settings with { Events = value },
                "--warm-up" => settings with { WarmUp = value },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return settings;
    }
}
