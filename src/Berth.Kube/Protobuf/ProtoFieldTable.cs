using System.Globalization;
using System.Reflection;
using Berth.Kube.Schema;

namespace Berth.Kube.Protobuf;

/// <summary>
/// The protobuf field numbers of Kubernetes' API messages (<c>kubernetes-fields.txt</c>, one line per message:
/// <c>k8s.io.api.core.v1.ConfigMap 1:metadata 2:data …</c>). Numbers are all protobuf adds to what the schemas
/// already say: a field's type comes from the kind's <see cref="TypeSchema"/>.
/// </summary>
internal sealed class ProtoFieldTable
{
    private readonly Dictionary<string, Dictionary<int, string>> _messages;

    private ProtoFieldTable(Dictionary<string, Dictionary<int, string>> messages) => _messages = messages;

    public static ProtoFieldTable Shared { get; } = Load();

    /// <summary>The field numbers of the message a schema's object type is sent as, by number; null if unknown.</summary>
    public IReadOnlyDictionary<int, string>? FieldsOf(TypeSchema schema) =>
        schema.Name is { } name ? _messages.GetValueOrDefault(MessageName(name)) : null;

    /// <summary>
    /// The JSON name of a protobuf field: the same, except where JSON spells it differently, as
    /// JSONSchemaProps' <c>$ref</c> (proto <c>ref</c>) and <c>x-kubernetes-…</c> fields (proto <c>xKubernetes…</c>).
    /// </summary>
    public static string? JsonName(TypeSchema schema, string protoName)
    {
        if (schema.Properties.ContainsKey(protoName))
        {
            return protoName;
        }
        if (schema.Properties.ContainsKey("$" + protoName))
        {
            return "$" + protoName;
        }
        var kebab = string.Concat(protoName.Select(c => char.IsUpper(c) ? "-" + char.ToLowerInvariant(c) : c.ToString()));
        return schema.Properties.ContainsKey(kebab) ? kebab : null;
    }

    /// <summary>A schema's component name as its protobuf message is named: <c>io.k8s.api.core.v1.Pod</c> is <c>k8s.io.api.core.v1.Pod</c>.</summary>
    public static string MessageName(string componentName) =>
        componentName.StartsWith("io.k8s.", StringComparison.Ordinal)
            ? "k8s.io." + componentName["io.k8s.".Length..].Replace('-', '_')
            : componentName;

    private static ProtoFieldTable Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("kubernetes-fields.txt")
            ?? throw new InvalidOperationException("The protobuf field table is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        return Parse(reader);
    }

    /// <summary>Reads a table in the file's format: one message a line, <c>name number:field …</c>; <c>#</c> starts a comment line.</summary>
    public static ProtoFieldTable Parse(TextReader reader)
    {
        var messages = new Dictionary<string, Dictionary<int, string>>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var fields = new Dictionary<int, string>();
            foreach (var field in parts.Skip(1))
            {
                var colon = field.IndexOf(':', StringComparison.Ordinal);
                fields.Add(int.Parse(field.AsSpan(0, colon), CultureInfo.InvariantCulture), field[(colon + 1)..]);
            }
            messages.Add(parts[0], fields);
        }
        return new ProtoFieldTable(messages);
    }
}
