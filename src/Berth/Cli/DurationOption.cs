using System.CommandLine;
using Berth.Kube.Metrics;

namespace Berth.Cli;

/// <summary>An option holding a duration written as Kubernetes' components take one: <c>15s</c>, <c>500ms</c>, <c>1m30s</c>.</summary>
internal static class DurationOption
{
    public static Option<TimeSpan> Create(string name, string description, TimeSpan defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (GoDuration.Parse(text) is { } duration && duration > TimeSpan.Zero)
            {
                return duration;
            }
            result.AddError($"{name}: '{text}' is not a positive duration such as 15s, 500ms or 1m30s");
            return defaultValue;
        },
    };
}
