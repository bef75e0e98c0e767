using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Core;

/// <summary>Endpoints (core/v1): the addresses and ports behind a Service, printed as kubectl prints them.</summary>
internal sealed class EndpointsStrategy : IResourceStrategy
{
    private static readonly string[] s_protocols = ["SCTP", "TCP", "UDP"];

    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Endpoints", "string", "", "The set of all endpoints is the union of all subsets.", 0, (obj, _) => Format(obj)),
        TableColumn.AgeColumn(),
    ];

    public void ApplyDefaults(JsonObject obj)
    {
        foreach (var subset in (obj["subsets"] as JsonArray ?? []).OfType<JsonObject>())
        {
            foreach (var port in (subset["ports"] as JsonArray ?? []).OfType<JsonObject>())
            {
                port["protocol"] ??= "TCP";
            }
        }
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        var errors = ObjectMetaValidation.Name(obj, label: false).ToList();
        var subsets = obj["subsets"] as JsonArray ?? [];
        for (var i = 0; i < subsets.Count; i++)
        {
            var path = $"subsets[{i}]";
            var subset = subsets[i] as JsonObject ?? [];
            foreach (var list in new[] { "addresses", "notReadyAddresses" })
            {
                var addresses = subset[list] as JsonArray ?? [];
                for (var j = 0; j < addresses.Count; j++)
                {
                    var ip = addresses[j]?["ip"].AsText();
                    if (string.IsNullOrEmpty(ip))
                    {
                        errors.Add(FieldError.Required($"{path}.{list}[{j}].ip"));
                    }
                    else if (!IPAddress.TryParse(ip, out _))
                    {
                        errors.Add(FieldError.Invalid($"{path}.{list}[{j}].ip", ip, "must be a valid IP address"));
                    }
                }
            }
            var ports = subset["ports"] as JsonArray ?? [];
            for (var j = 0; j < ports.Count; j++)
            {
                errors.AddRange(Port(ports[j] as JsonObject ?? [], $"{path}.ports[{j}]", requireName: ports.Count > 1));
            }
        }
        return errors;
    }

    private static IEnumerable<FieldError> Port(JsonObject port, string path, bool requireName)
    {
        var name = port["name"].AsText();
        if (requireName && string.IsNullOrEmpty(name))
        {
            yield return FieldError.Required($"{path}.name");
        }
        else if (!string.IsNullOrEmpty(name) && !ObjectMetaValidation.IsLabel(name))
        {
            yield return FieldError.Invalid($"{path}.name", name, ObjectMetaValidation.LabelMessage);
        }
        if (port["port"].AsLong() is not { } number || number is < 1 or > 65535)
        {
            yield return FieldError.Invalid($"{path}.port", port["port"].AsLong() ?? 0, "must be between 1 and 65535, inclusive");
        }
        if (port["protocol"].AsText() is { } protocol && !s_protocols.Contains(protocol))
        {
            yield return FieldError.NotSupported($"{path}.protocol", protocol, s_protocols);
        }
    }

    /// <summary>Every address with each of its subset's ports ("10.0.0.1:80"), the first three shown.</summary>
    private static string Format(JsonObject obj)
    {
        if (obj["subsets"] is not JsonArray { Count: > 0 } subsets)
        {
            return "<none>";
        }
        var endpoints = new List<string>();
        foreach (var subset in subsets.OfType<JsonObject>())
        {
            var ips = (subset["addresses"] as JsonArray ?? []).Select(a => a?["ip"].AsText() ?? "").ToList();
            if (subset["ports"] is not JsonArray { Count: > 0 } ports)
            {
                endpoints.AddRange(ips); // a headless service's endpoints have no ports
                continue;
            }
            foreach (var port in ports)
            {
                var number = (port?["port"].AsLong() ?? 0).ToString(CultureInfo.InvariantCulture);
                endpoints.AddRange(ips.Select(ip => ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]:{number}" : $"{ip}:{number}"));
            }
        }
        return ListText.WithMore(endpoints, 3, empty: "");
    }
}
