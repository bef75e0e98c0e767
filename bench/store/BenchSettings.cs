using System.Globalization;

namespace Berth.Bench.Store;

internal sealed record BenchSettings(int Operations, int Rounds, int Concurrency, int Watchers, int Events)
{
    public static BenchSettings Parse(string[] args)
    {
        var settings = new BenchSettings(Operations: 2000, Rounds: 8, Concurrency: 64, Watchers: 1000, Events: 300);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            settings = args[i] switch
            {
                "--operations" => settings with { Operations = value },
                "--rounds" => settings with { Rounds = value },
                "--concurrency" => settings with { Concurrency = value },
                "--watchers" => settings with { Watchers = value },
                "--events" => settings with { Events = value },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return settings;
    }
}
