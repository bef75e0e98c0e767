using System.Globalization;

namespace Berth.Bench.Network;

/// <summary>How long each wrk run lasts, with how many connections, and how many rounds alternate the paths.</summary>
internal sealed record BenchSettings(int Seconds, int Connections, int Rounds)
{
    public static BenchSettings Parse(string[] args)
    {
        var settings = new BenchSettings(Seconds: 10, Connections: 4, Rounds: 3);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            settings = args[i] switch
            {
                "--seconds" => settings with { Seconds = value },
                "--connections" => settings with { Connections = value },
                "--rounds" => settings with { Rounds = value },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return settings;
    }
}
