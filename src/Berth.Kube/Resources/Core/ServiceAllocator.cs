using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Store;

namespace Berth.Kube.Resources.Core;

/// <summary>An inclusive range of ports.</summary>
internal readonly record struct PortRange(int First, int Last)
{
    public bool Contains(int port) => port >= First && port <= Last;
}

/// <summary>
/// Hands out Services' cluster IPs and node ports, each unique in its cluster. Every allocation is a store key of
/// its own (<c>/allocations/{cluster}/service-ips/{ip}</c>, <c>…/node-ports/{port}</c>) made with a create, which
/// fails when the key exists, so two Services can never be given the same one, whatever runs at once.
/// </summary>
internal sealed class ServiceAllocator(IStore store) : IObjectAllocator
{
    /// <summary>The service range EKS gives a cluster by default.</summary>
    public static readonly IPNetwork ServiceCidr = IPNetwork.Parse(Clusters.ClusterNetwork.ServiceCidr);

    /// <summary>The address of the <c>kubernetes</c> Service: the first of the range.</summary>
    public static readonly IPAddress KubernetesServiceIp = IPAddress.Parse("10.100.0.1");

    public static readonly PortRange NodePortRange = new(30000, 32767);

    private const int RandomAttempts = 64;

    public bool Handles(ResourceType type) => type.Group.Length == 0 && type.Kind == "Service";

    public async Task<Allocation> AllocateAsync(string cluster, JsonObject obj, JsonObject? old, CancellationToken cancellationToken)
    {
        var owner = Owner(obj);
        var name = obj["metadata"]?["name"].AsText() ?? "";
        var spec = (JsonObject)obj["spec"]!;
        var held = old is null ? [] : Held(cluster, old);
        var taken = new List<string>();
        try
        {
            if (spec["type"].AsText() != "ExternalName" && spec["clusterIP"].AsText() != "None")
            {
                var ip = spec["clusterIP"].AsText() is { Length: > 0 } given
                    ? await TakeIpAsync(cluster, name, given, owner, held, taken, cancellationToken)
                    : await TakeAnyIpAsync(cluster, owner, taken, cancellationToken);
                spec["clusterIP"] = ip;
                spec["clusterIPs"] = new JsonArray(ip);
            }
            else if (spec["clusterIP"].AsText() == "None")
            {
                spec["clusterIPs"] = new JsonArray("None");
            }
            if (NeedsNodePorts(spec))
            {
                var ports = (spec["ports"] as JsonArray ?? []).OfType<JsonObject>().ToList();
                for (var i = 0; i < ports.Count; i++)
                {
                    ports[i]["nodePort"] = ports[i]["nodePort"].AsLong() is { } given
                        ? await TakePortAsync(cluster, name, (int)given, owner, held, taken, $"spec.ports[{i}].nodePort", cancellationToken)
                        : await TakeAnyPortAsync(cluster, owner, taken, cancellationToken);
                }
            }
            else
            {
                foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    port.Remove("nodePort");
                }
            }
        }
        catch
        {
            await RollbackAsync(new Allocation(taken, []), cancellationToken);
            throw;
        }
        var now = Held(cluster, obj);
        return new Allocation(taken, [.. held.Where(k => !now.Contains(k))]);
    }

    public Task RollbackAsync(Allocation allocation, CancellationToken cancellationToken) => FreeAsync(allocation.Taken, cancellationToken);

    public Task CommitAsync(Allocation allocation, CancellationToken cancellationToken) => FreeAsync(allocation.Freed, cancellationToken);

    public Task ReleaseAsync(string cluster, JsonObject obj, CancellationToken cancellationToken) => FreeAsync(Held(cluster, obj), cancellationToken);

    private static bool NeedsNodePorts(JsonObject spec) =>
        spec["type"].AsText() == "NodePort" || (spec["type"].AsText() == "LoadBalancer" && spec["allocateLoadBalancerNodePorts"].AsBool() != false);

    /// <summary>The allocation keys an object's spec holds.</summary>
    private static HashSet<string> Held(string cluster, JsonObject obj)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var spec = obj["spec"];
        if (spec?["clusterIP"].AsText() is { Length: > 0 } ip && ip != "None" && spec["type"].AsText() != "ExternalName")
        {
            keys.Add(IpKey(cluster, ip));
        }
        foreach (var port in (spec?["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (port["nodePort"].AsLong() is { } nodePort)
            {
                keys.Add(PortKey(cluster, (int)nodePort));
            }
        }
        return keys;
    }

    private async Task<string> TakeIpAsync(string cluster, string name, string given, string owner, HashSet<string> held, List<string> taken, CancellationToken cancellationToken)
    {
        if (!IPAddress.TryParse(given, out var address) || address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw Invalid(name, "spec.clusterIPs", $"[\"{given}\"]", "must be a valid IP address");
        }
        if (!ServiceCidr.Contains(address))
        {
            throw Invalid(name, "spec.clusterIPs", $"[\"{given}\"]",
                $"failed to allocate IP {given}: the provided IP ({given}) is not in the valid range. The range of valid IPs is {ServiceCidr}");
        }
        var key = IpKey(cluster, address.ToString());
        if (held.Contains(key))
        {
            return address.ToString();
        }
        if (!await TryTakeAsync(key, owner, taken, cancellationToken))
        {
            throw Invalid(name, "spec.clusterIPs", $"[\"{given}\"]", $"failed to allocate IP {given}: provided IP is already allocated");
        }
        return address.ToString();
    }

    private async Task<string> TakeAnyIpAsync(string cluster, string owner, List<string> taken, CancellationToken cancellationToken)
    {
        var size = 1 << (32 - ServiceCidr.PrefixLength);
        var network = BitConverter.ToUInt32(ServiceCidr.BaseAddress.GetAddressBytes().Reverse().ToArray());
        for (var attempt = 0; attempt < RandomAttempts; attempt++)
        {
            // not the network address, the kubernetes Service's first address, or the broadcast address
            var offset = (uint)RandomNumberGenerator.GetInt32(2, size - 1);
            var ip = new IPAddress(BitConverter.GetBytes(network + offset).Reverse().ToArray()).ToString();
            if (await TryTakeAsync(IpKey(cluster, ip), owner, taken, cancellationToken))
            {
                return ip;
            }
        }
        throw new KubeApiException(500, "InternalError", $"Internal error occurred: failed to allocate a serviceIP: range is full");
    }

    private async Task<int> TakePortAsync(string cluster, string name, int port, string owner, HashSet<string> held, List<string> taken, string field, CancellationToken cancellationToken)
    {
        var key = PortKey(cluster, port);
        if (held.Contains(key))
        {
            return port;
        }
        if (!await TryTakeAsync(key, owner, taken, cancellationToken))
        {
            throw Invalid(name, field, port.ToString(CultureInfo.InvariantCulture), "provided port is already allocated");
        }
        return port;
    }

    private async Task<int> TakeAnyPortAsync(string cluster, string owner, List<string> taken, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < RandomAttempts; attempt++)
        {
            var port = RandomNumberGenerator.GetInt32(NodePortRange.First, NodePortRange.Last + 1);
            if (await TryTakeAsync(PortKey(cluster, port), owner, taken, cancellationToken))
            {
                return port;
            }
        }
        throw new KubeApiException(500, "InternalError", "Internal error occurred: failed to allocate a nodePort: range is full");
    }

    private async Task<bool> TryTakeAsync(string key, string owner, List<string> taken, CancellationToken cancellationToken)
    {
        try
        {
            await store.CreateAsync(key, JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["service"] = owner }), cancellationToken);
            taken.Add(key);
            return true;
        }
        catch (StoreException e) when (e.Code == StoreErrorCode.KeyExists)
        {
            return false;
        }
    }

    private async Task FreeAsync(IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        foreach (var key in keys)
        {
            try
            {
                await store.DeleteAsync(key, null, cancellationToken);
            }
            catch (StoreException e) when (e.Code == StoreErrorCode.KeyNotFound)
            {
                // already free
            }
        }
    }

    private static string Owner(JsonObject obj) => $"{obj["metadata"]?["namespace"].AsText()}/{obj["metadata"]?["name"].AsText()}";

    private static string IpKey(string cluster, string ip) => $"/allocations/{cluster}/service-ips/{ip}";

    private static string PortKey(string cluster, int port) => $"/allocations/{cluster}/node-ports/{port.ToString(CultureInfo.InvariantCulture)}";

    private static KubeApiException Invalid(string name, string field, string value, string detail) =>
        KubeApiException.Invalid("Service", "", name, [FieldError.Invalid(field, value, detail)]);
}
