using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Discovery;

/// <summary>EndpointSlices (discovery.k8s.io/v1): a slice of a Service's endpoints, all of one address type, which never changes.</summary>
internal sealed class EndpointSliceStrategy : IResourceStrategy
{
    private static readonly string[] s_addressTypes = ["FQDN", "IPv4", "IPv6"];
    private static readonly string[] s_protocols = ["SCTP", "TCP", "UDP"];

    private const int MaxAddresses = 100;

    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("AddressType", "string", "", "addressType specifies the type of address carried by this EndpointSlice.", 0, (obj, _) => obj["addressType"].AsText() ?? ""),
        new("Ports", "string", "", "ports specifies the list of network ports exposed by each endpoint in this slice.", 0, (obj, _) => Ports(obj)),
        new("Endpoints", "string", "", "endpoints is a list of unique endpoints in this slice.", 0, (obj, _) => Endpoints(obj)),
        TableColumn.AgeColumn(),
    ];

    public IReadOnlyCollection<string> FieldLabels { get; } = ["addressType"];

    public void ApplyDefaults(JsonObject obj)
    {
        foreach (var port in (obj["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            port["name"] ??= "";
            port["protocol"] ??= "TCP";
        }
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        var errors = ObjectMetaValidation.Name(obj, label: false).ToList();
        var addressType = obj["addressType"].AsText();
        if (string.IsNullOrEmpty(addressType))
        {
            errors.Add(FieldError.Required("addressType"));
        }
        else if (!s_addressTypes.Contains(addressType))
        {
            errors.Add(FieldError.NotSupported("addressType", addressType, s_addressTypes));
        }
        else
        {
            var endpoints = obj["endpoints"] as JsonArray ?? [];
            for (var i = 0; i < endpoints.Count; i++)
            {
                errors.AddRange(Endpoint(endpoints[i] as JsonObject ?? [], $"endpoints[{i}]", addressType));
            }
        }
        var ports = obj["ports"] as JsonArray ?? [];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ports.Count; i++)
        {
            var path = $"ports[{i}]";
            var name = ports[i]?["name"].AsText() ?? "";
            if (name.Length > 0 && !ObjectMetaValidation.IsLabel(name))
            {
                errors.Add(FieldError.Invalid($"{path}.name", name, ObjectMetaValidation.LabelMessage));
            }
            if (!names.Add(name))
            {
                errors.Add(FieldError.Duplicate($"{path}.name", name));
            }
            if (ports[i]?["port"].AsLong() is { } port and (< 1 or > 65535))
            {
                errors.Add(FieldError.Invalid($"{path}.port", port, "must be between 1 and 65535, inclusive"));
            }
            if (ports[i]?["protocol"].AsText() is { } protocol && !s_protocols.Contains(protocol))
            {
                errors.Add(FieldError.NotSupported($"{path}.protocol", protocol, s_protocols));
            }
        }
        return errors;
    }

    public IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old)
    {
        foreach (var error in Validate(obj))
        {
            yield return error;
        }
        if (obj["addressType"].AsText() is var now && now != old["addressType"].AsText())
        {
            yield return FieldError.Immutable("addressType", now ?? "");
        }
    }

    private static IEnumerable<FieldError> Endpoint(JsonObject endpoint, string path, string addressType)
    {
        var addresses = endpoint["addresses"] as JsonArray ?? [];
        if (addresses.Count == 0)
        {
            yield return FieldError.Required($"{path}.addresses", "must contain at least 1 address");
        }
        else if (addresses.Count > MaxAddresses)
        {
            yield return new FieldError($"{path}.addresses", "FieldValueTooMany", $"Too many: {addresses.Count}: must have at most {MaxAddresses} items");
        }
        for (var i = 0; i < addresses.Count; i++)
        {
            var address = addresses[i].AsText() ?? "";
            var detail = addressType switch
            {
                "IPv4" when !IsIp(address, AddressFamily.InterNetwork) => "must be a valid IPv4 address",
                "IPv6" when !IsIp(address, AddressFamily.InterNetworkV6) => "must be a valid IPv6 address",
                "FQDN" when !ObjectMetaValidation.IsSubdomain(address) => ObjectMetaValidation.SubdomainMessage,
                _ => null,
            };
            if (detail is not null)
            {
                yield return FieldError.Invalid($"{path}.addresses[{i}]", address, detail);
            }
        }
    }

    private static bool IsIp(string text, AddressFamily family) =>
        IPAddress.TryParse(text, out var ip) && ip.AddressFamily == family && (family != AddressFamily.InterNetwork || text.Count(c => c == '.') == 3);

    private static string Ports(JsonObject obj) =>
        ListText.WithMore([.. (obj["ports"] as JsonArray ?? []).Select(p =>
            p?["port"].AsLong()?.ToString(CultureInfo.InvariantCulture) ?? p?["name"].AsText() ?? "*")], 3);

    private static string Endpoints(JsonObject obj) =>
        ListText.WithMore([.. (obj["endpoints"] as JsonArray ?? []).SelectMany(e => e?["addresses"] as JsonArray ?? []).Select(a => a.AsText() ?? "")], 3);
}
