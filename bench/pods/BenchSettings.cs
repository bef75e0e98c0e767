using System.Globalization;

namespace Berth.Bench.Pods;

/// <summary>How many pods are started one at a time, how many at once, in how many rounds, and how many run while the agent's memory is read.</summary>
internal sealed record BenchSettings(int Singles, int Burst, int Rounds, int ResidentPods)
{
    public static BenchSettings Parse(string[] args)
    {
        var settings = new BenchSettings(Singles: 10, Burst: 30, Rounds: 3, ResidentPods: 10);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            settings = args[i] switch
            {
                "--singles" => settings with { Singles = value },
                "--burst" => settings with { Burst = value },
                "--rounds" => settings with { Rounds = value },
                "--resident-pods" => settings with { ResidentPods = value },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return settings;
    }
}
