using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Berth.Client.Config;

/// <summary>A field of a ClusterConfig file that cannot be used, with where it is: <c>cluster.yaml:12:5: …</c>.</summary>
public sealed class ClusterConfigException(string file, int line, int column, string message)
    : Exception($"{file}:{line}:{column}: {message}")
{
    public int Line { get; } = line;
}

/// <summary>
/// One mapping of a ClusterConfig file, read field by field. Every field is either read, accepted (recorded or left
/// aside, as AWS networking is), or refused when <see cref="Finish"/> runs: a field eksctl knows but Berth does not
/// serve is named as unsupported, any other as unknown, each with its line — eksctl reads its files strictly too.
/// </summary>
internal sealed class YamlObject(YamlMappingNode node, string path, string file)
{
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public string Path => path;

    public YamlNode Node => node;

    public bool Has(string key) => Find(key, markRead: false) is not null;

    public string? String(string key) => Find(key) switch
    {
        null => null,
        YamlScalarNode { Value: var value } => value,
        var other => throw Error(other, $"{Child(key)} must be a string"),
    };

    public int? Int(string key) => Find(key) switch
    {
        null => null,
        YamlScalarNode scalar when int.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => number,
        var other => throw Error(other, $"{Child(key)} must be a whole number"),
    };

    public bool? Bool(string key) => Find(key) switch
    {
        null => null,
        YamlScalarNode { Value: "true" or "True" or "TRUE" } => true,
        YamlScalarNode { Value: "false" or "False" or "FALSE" } => false,
        var other => throw Error(other, $"{Child(key)} must be true or false"),
    };

    public YamlObject? Object(string key) => Find(key) switch
    {
        null => null,
        YamlMappingNode mapping => new YamlObject(mapping, Child(key), file),
        var other => throw Error(other, $"{Child(key)} must be a mapping"),
    };

    /// <summary>A list of mappings; an empty or null value is an empty list.</summary>
    public List<YamlObject> Objects(string key) => Find(key) switch
    {
        null or YamlScalarNode { Value: null or "" or "null" or "~" } => [],
        YamlSequenceNode list => [.. list.Children.Select((item, i) => item is YamlMappingNode mapping
            ? new YamlObject(mapping, $"{Child(key)}[{i}]", file)
            : throw Error(item, $"{Child(key)}[{i}] must be a mapping"))],
        var other => throw Error(other, $"{Child(key)} must be a list"),
    };

    public List<string>? Strings(string key) => Find(key) switch
    {
        null => null,
        YamlSequenceNode list => [.. list.Children.Select((item, i) => item is YamlScalarNode { Value: { } value } ? value : throw Error(item, $"{Child(key)}[{i}] must be a string"))],
        var other => throw Error(other, $"{Child(key)} must be a list of strings"),
    };

    public Dictionary<string, string>? Map(string key) => Find(key) switch
    {
        null => null,
        YamlMappingNode mapping => mapping.Children.ToDictionary(
            p => p.Key is YamlScalarNode { Value: { } name } ? name : throw Error(p.Key, $"{Child(key)} must map strings to strings"),
            p => p.Value is YamlScalarNode { Value: var value } ? value ?? "" : throw Error(p.Value, $"{Child(key)}.{p.Key} must be a string"),
            StringComparer.Ordinal),
        var other => throw Error(other, $"{Child(key)} must map strings to strings"),
    };

    /// <summary>The field's node, marked as read (for fields passed on whole, such as an inline policy).</summary>
    public YamlNode? Raw(string key) => Find(key);

    /// <summary>Fields Berth takes without acting on them: AWS networking, which it records where EKS has a place for it.</summary>
    public void Accept(params string[] keys)
    {
        foreach (var key in keys)
        {
            _read.Add(key);
        }
    }

    /// <summary>Refuses the first field neither read nor accepted.</summary>
    public void Finish(IReadOnlyDictionary<string, string> unsupported, IReadOnlySet<string> eksctlFields)
    {
        foreach (var (key, value) in node.Children)
        {
            var name = ((YamlScalarNode)key).Value ?? "";
            if (_read.Contains(name))
            {
                continue;
            }
            if (unsupported.TryGetValue(name, out var why))
            {
                throw Error(key, $"{Child(name)} is not supported by Berth: {why}");
            }
            throw Error(key, eksctlFields.Contains(name)
                ? $"{Child(name)} is not supported by Berth (see the supported fields in docs/eksctl.md)"
                : $"unknown field \"{Child(name)}\"");
        }
    }

    public ClusterConfigException Error(YamlNode at, string message) => new(file, (int)at.Start.Line, (int)at.Start.Column, message);

    /// <summary>An error at this field's value, or at the mapping when the field is absent.</summary>
    public ClusterConfigException Error(string key, string message) => Error(Find(key, markRead: false) ?? node, message);

    private string Child(string key) => path.Length == 0 ? key : $"{path}.{key}";

    private YamlNode? Find(string key, bool markRead = true)
    {
        foreach (var (name, value) in node.Children)
        {
            if (name is YamlScalarNode { Value: var text } && text == key)
            {
                if (markRead)
                {
                    _read.Add(key);
                }
                return value is YamlScalarNode { Value: null or "null" or "~", Style: not (YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted) } ? null : value;
            }
        }
        return null;
    }
}
