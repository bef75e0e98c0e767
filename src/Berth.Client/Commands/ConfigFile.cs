using System.CommandLine;
using Berth.Client.Clusters;
using Berth.Client.Config;

namespace Berth.Client.Commands;

/// <summary><c>-f</c>: a ClusterConfig file (or <c>-</c> for standard input), and the flags that may not be given beside it.</summary>
internal static class ConfigFile
{
    public static Option<string?> Option() => new("--config-file", "-f") { Description = "An eksctl ClusterConfig file (eksctl.io/v1alpha5); - reads standard input." };

    public static ClusterConfig Read(string path)
    {
        string text;
        try
        {
            text = path == "-" ? Console.In.ReadToEnd() : File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ClusterCommandException($"cannot read {path}: {e.Message}");
        }
        return ClusterConfigReader.Read(text, path == "-" ? "<stdin>" : path);
    }

    /// <summary>The file's region, unless a different one was asked for with --region, which eksctl refuses too.</summary>
    public static string? Region(ParseResult parseResult, Option<string?> file)
    {
        if (parseResult.GetValue(file) is not { } path || path == "-")
        {
            return null;
        }
        var region = Read(path).Region;
        if (region is not null && parseResult.GetValue(ClusterCommandLine.Region) is { } flag && flag != region)
        {
            throw new ClusterCommandException($"--region={flag} and metadata.region={region} in {path} differ: give one of them");
        }
        return region;
    }

    /// <summary>eksctl takes a file or the flags that describe the same thing, never both.</summary>
    public static void RefuseBeside(ParseResult parseResult, string path, params Option[] options)
    {
        foreach (var option in options)
        {
            if (parseResult.GetResult(option) is { Implicit: false })
            {
                throw new ClusterCommandException($"cannot use {option.Name} when --config-file/-f is set: put it in {path}");
            }
        }
    }

    /// <summary><c>key=value,key=value</c>, as eksctl's label and tag flags take them.</summary>
    public static Dictionary<string, string> Pairs(string? text, string flag)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ClusterCommandException($"{flag}: \"{pair}\" is not key=value");
            }
            pairs[pair[..equals]] = pair[(equals + 1)..];
        }
        return pairs;
    }
}
