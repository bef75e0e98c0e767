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

    /// <summary>The fields of a message by its full name; null if unknown.</summary>
    public IReadOnlyDictionary<int, string>? FieldsOf(string message) => _messages.GetValueOrDefault(message);

    /// <summary>
    /// The message a field of <paramref name="message"/> holds when the field is a Go struct embedded in its parent,
    /// whose fields JSON writes inline: <c>Volume.volumeSource</c> holds a VolumeSource, <c>Probe.handler</c> a
    /// ProbeHandler. Found by the names go-to-protobuf gives such fields; null when the field is no such thing.
    /// </summary>
    public string? EmbeddedMessage(string message, string field)
    {
        var package = message[..message.LastIndexOf('.')];
        var parent = message[(message.LastIndexOf('.') + 1)..];
        var type = char.ToUpperInvariant(field[0]) + field[1..];
        return new[] { $"{package}.{type}", $"{package}.{parent}{type}" }.FirstOrDefault(_messages.ContainsKey);
    }

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
        if (schema.Properties.ContainsKey(kebab))
        {
            return kebab;
        }
        // a few .proto names differ from JSON's only in case: uID for uid, aPIGroup for apiGroup
        return schema.Properties.Keys.FirstOrDefault(k => string.Equals(k, protoName, StringComparison.OrdinalIgnoreCase));
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
