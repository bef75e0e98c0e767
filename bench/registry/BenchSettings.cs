using System.Globalization;

namespace Berth.Bench.Registry;

/// <summary>The size of the large image, how many small blobs and of what size, how many clients pull at once, and how many rounds.</summary>
internal sealed record BenchSettings(int LargeMegabytes, int SmallBlobs, int SmallBlobBytes, int Pullers, int Rounds)
{
    public static BenchSettings Parse(string[] args)
    {
        var settings = new BenchSettings(LargeMegabytes: 100, SmallBlobs: 1000, SmallBlobBytes: 4096, Pullers: 10, Rounds: 3);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            settings = args[i] switch
            {
                "--large-mb" => settings with { LargeMegabytes = value },
                "--small-blobs" => settings with { SmallBlobs = value },
                "--small-bytes" => settings with { SmallBlobBytes = value },
                "--pullers" => settings with { Pullers = value },
                "--rounds" => settings with { Rounds = value },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return settings;
    }
}
