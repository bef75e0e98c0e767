using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Core;

/// <summary>
/// Services: defaults and checks as kube-apiserver applies them. The cluster IP and node ports are not chosen
/// here but by <see cref="ServiceAllocator"/>, which keeps them unique.
/// </summary>
internal sealed class ServiceStrategy : IResourceStrategy
{
    public IReadOnlyDictionary<string, string> MergeKeys { get; } =
        new Dictionary<string, string>(Resources.MergeKeys.Metadata) { ["spec.ports"] = "port" };

    public static readonly IReadOnlyList<string> Types = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];

    private static readonly string[] s_protocols = ["TCP", "UDP", "SCTP"];

    public IReadOnlyCollection<string> FieldLabels { get; } = ["spec.clusterIP", "spec.type"];

    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Type", "string", "", "The type of the service.", 0, (obj, _) => obj["spec"]?["type"].AsText()),
        new("Cluster-IP", "string", "", "The cluster IP of the service.", 0, (obj, _) => obj["spec"]?["clusterIP"].AsText() is { Length: > 0 } ip ? ip : "<none>"),
        new("External-IP", "string", "", "The external IPs of the service.", 0, (obj, _) => ExternalIPs(obj)),
        new("Port(s)", "string", "", "The ports of the service.", 0, (obj, _) => Ports(obj)),
        TableColumn.AgeColumn(),
        new("Selector", "string", "", "The selector of the pods the service sends to.", 1, (obj, _) =>
            obj["spec"]?["selector"] is JsonObject { Count: > 0 } selector
                ? string.Join(",", selector.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.AsText()}"))
                : "<none>"),
    ];

    public bool HasStatus => true;

    public IReadOnlyList<string> Categories { get; } = ["all"];

    public void ApplyDefaults(JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject ?? (JsonObject)(obj["spec"] = new JsonObject());
        spec["type"] ??= "ClusterIP";
        var type = spec["type"].AsText();
        if (type == "ExternalName")
        {
            return;
        }
        spec["sessionAffinity"] ??= "None";
        spec["internalTrafficPolicy"] ??= "Cluster";
        if (type is "NodePort" or "LoadBalancer")
        {
            spec["externalTrafficPolicy"] ??= "Cluster";
        }
        if (type == "LoadBalancer")
        {
            spec["allocateLoadBalancerNodePorts"] ??= true;
        }
        if (spec["clusterIP"].AsText() != "None")
        {
            spec["ipFamilies"] ??= new JsonArray("IPv4");
        }
        spec["ipFamilyPolicy"] ??= "SingleStack";
        foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            port["protocol"] ??= "TCP";
            port["targetPort"] ??= port["port"]?.DeepClone();
        }
        obj["status"] ??= new JsonObject { ["loadBalancer"] = new JsonObject() };
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        var errors = ObjectMetaValidation.Dns1035Name(obj).ToList();
        var spec = (JsonObject)obj["spec"]!;
        var type = spec["type"].AsText();
        if (!Types.Contains(type))
        {
            errors.Add(new FieldError("spec.type", "FieldValueNotSupported",
                $"Unsupported value: \"{type}\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""));
            return errors;
        }
        if (type == "ExternalName")
        {
            if (spec["externalName"].AsText() is not { Length: > 0 })
            {
                errors.Add(FieldError.Required("spec.externalName"));
            }
            if (spec["clusterIP"].AsText() is { Length: > 0 } ip)
            {
                errors.Add(FieldError.Invalid("spec.clusterIPs", ip, "may not be set for ExternalName services"));
            }
            return errors;
        }
        if (spec["ports"] is not JsonArray { Count: > 0 } ports)
        {
            if (spec["clusterIP"].AsText() != "None")
            {
                errors.Add(FieldError.Required("spec.ports"));
            }
            return errors;
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ports.Count; i++)
        {
            errors.AddRange(Port(ports[i] as JsonObject, $"spec.ports[{i}]", ports.Count > 1, names, type!));
        }
        return errors;
    }

    /// <summary>A replacement that leaves out the cluster IP or node ports keeps those the service was given.</summary>
    public void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        if (obj["spec"] is not JsonObject spec || old["spec"] is not JsonObject was || spec["type"].AsText() is "ExternalName")
        {
            return;
        }
        if (spec["clusterIP"].AsText() is null or "" && was["clusterIP"].AsText() is { Length: > 0 } ip)
        {
            spec["clusterIP"] = ip;
            spec["clusterIPs"] = was["clusterIPs"]?.DeepClone();
        }
        if (spec["type"].AsText() is not ("NodePort" or "LoadBalancer"))
        {
            return;
        }
        var oldPorts = (was["ports"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>().Where(p => p["nodePort"] is null))
        {
            if (oldPorts.FirstOrDefault(o => o["port"].AsLong() == port["port"].AsLong())?["nodePort"] is { } nodePort)
            {
                port["nodePort"] = nodePort.DeepClone();
            }
        }
    }

    public IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old)
    {
        var errors = Validate(obj).ToList();
        var was = old["spec"]?["clusterIP"].AsText();
        var now = obj["spec"]?["clusterIP"].AsText();
        if (!string.IsNullOrEmpty(was) && obj["spec"]?["type"].AsText() != "ExternalName" && now != was)
        {
            errors.Add(FieldError.Invalid("spec.clusterIPs[0]", now ?? "", "may not change once set"));
        }
        return errors;
    }

    private static IEnumerable<FieldError> Port(JsonObject? port, string path, bool named, HashSet<string> names, string type)
    {
        if (port is null)
        {
            yield return FieldError.Required(path);
            yield break;
        }
        var name = port["name"].AsText();
        if (named && string.IsNullOrEmpty(name))
        {
            yield return FieldError.Required($"{path}.name");
        }
        if (!string.IsNullOrEmpty(name))
        {
            if (!ObjectMetaValidation.IsLabel(name))
            {
                yield return FieldError.Invalid($"{path}.name", name, ObjectMetaValidation.LabelMessage);
            }
            if (!names.Add(name))
            {
                yield return new FieldError($"{path}.name", "FieldValueDuplicate", $"Duplicate value: \"{name}\"");
            }
        }
        if (port["port"].AsLong() is not { } number)
        {
            yield return FieldError.Required($"{path}.port");
        }
        else if (number is < 1 or > 65535)
        {
            yield return FieldError.Invalid($"{path}.port", number.ToString(CultureInfo.InvariantCulture), "must be between 1 and 65535, inclusive");
        }
        if (port["protocol"].AsText() is { } protocol && !s_protocols.Contains(protocol))
        {
            yield return new FieldError($"{path}.protocol", "FieldValueNotSupported", $"Unsupported value: \"{protocol}\": supported values: \"SCTP\", \"TCP\", \"UDP\"");
        }
        if (port["targetPort"] is JsonValue target && target.GetValueKind() == JsonValueKind.Number && target.AsLong() is < 1 or > 65535)
        {
            yield return FieldError.Invalid($"{path}.targetPort", target.ToJsonString(), "must be between 1 and 65535, inclusive");
        }
        if (port["nodePort"].AsLong() is { } nodePort && type is "ClusterIP")
        {
            yield return new FieldError($"{path}.nodePort", "FieldValueForbidden", "Forbidden: may not be used when `type` is 'ClusterIP'");
        }
        else if (port["nodePort"].AsLong() is { } given && !ServiceAllocator.NodePortRange.Contains((int)Math.Clamp(given, int.MinValue, int.MaxValue)))
        {
            yield return FieldError.Invalid($"{path}.nodePort", given.ToString(CultureInfo.InvariantCulture),
                $"provided port is not in the valid range. The range of valid ports is {ServiceAllocator.NodePortRange.First}-{ServiceAllocator.NodePortRange.Last}");
        }
    }

    private static string ExternalIPs(JsonObject obj)
    {
        var spec = obj["spec"];
        var type = spec?["type"].AsText();
        if (type == "ExternalName")
        {
            return spec?["externalName"].AsText() ?? "<none>";
        }
        var ips = new List<string>();
        ips.AddRange((spec?["externalIPs"] as JsonArray ?? []).Select(i => i.AsText()).OfType<string>());
        ips.AddRange((obj["status"]?["loadBalancer"]?["ingress"] as JsonArray ?? []).Select(i => i?["ip"].AsText() ?? i?["hostname"].AsText()).OfType<string>());
        return ips.Count > 0 ? string.Join(",", ips) : type == "LoadBalancer" ? "<pending>" : "<none>";
    }

    private static string Ports(JsonObject obj)
    {
        var ports = (obj["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(p => p["nodePort"].AsLong() is { } node
                ? $"{p["port"]?.ToJsonString()}:{node}/{p["protocol"].AsText()}"
                : $"{p["port"]?.ToJsonString()}/{p["protocol"].AsText()}")
            .ToList();
        return ports.Count > 0 ? string.Join(",", ports) : "<none>";
    }
}
