using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Resources;

namespace Berth.Kube.Scheduling;

/// <summary>
/// Amounts of resources by name, as whole numbers: CPU in millicores, everything else (memory, pods, extended
/// resources) in its own units, as the scheduler compares them.
/// </summary>
internal sealed class ResourceList
{
    public const string Cpu = "cpu";
    public const string Memory = "memory";
    public const string Pods = "pods";

    /// <summary>What the scheduler counts for a container that requests no CPU or memory, when it scores (not when it filters).</summary>
    private const long DefaultMilliCpu = 100;
    private const long DefaultMemory = 200L * 1024 * 1024;

    private readonly Dictionary<string, long> _amounts = new(StringComparer.Ordinal);

    public long this[string name] => _amounts.GetValueOrDefault(name);

    public IEnumerable<KeyValuePair<string, long>> Amounts => _amounts;

    /// <summary>A resource list (<c>requests</c>, <c>allocatable</c>) read from its JSON form; what is not a quantity counts as zero.</summary>
    public static ResourceList From(JsonNode? list)
    {
        var result = new ResourceList();
        foreach (var (name, value) in list as JsonObject ?? [])
        {
            if (Quantity.Parse(value.AsText()) is { } amount)
            {
                result._amounts[name] = ToUnits(name, amount);
            }
        }
        return result;
    }

    /// <summary>
    /// What a pod asks of a node: the sum of its containers' requests, or an init container's if larger (they run
    /// one at a time, before the rest), plus the pod's overhead. With <paramref name="nonZero"/>, containers that
    /// request no CPU or memory count the scheduler's defaults, so that such pods still spread when scored.
    /// </summary>
    public static ResourceList RequestsOf(JsonObject pod, bool nonZero = false)
    {
        var spec = pod["spec"] as JsonObject;
        var total = new ResourceList();
        foreach (var container in (spec?["containers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            total.Add(ContainerRequests(container, nonZero));
        }
        foreach (var container in (spec?["initContainers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            total.MaxWith(ContainerRequests(container, nonZero));
        }
        total.Add(From(spec?["overhead"]));
        return total;
    }

    private static ResourceList ContainerRequests(JsonObject container, bool nonZero)
    {
        var requests = From(container["resources"]?["requests"]);
        if (nonZero)
        {
            requests._amounts.TryAdd(Cpu, DefaultMilliCpu);
            requests._amounts.TryAdd(Memory, DefaultMemory);
        }
        return requests;
    }

    public void Add(ResourceList other, long sign = 1)
    {
        foreach (var (name, amount) in other._amounts)
        {
            _amounts[name] = _amounts.GetValueOrDefault(name) + (sign * amount);
        }
    }

    private void MaxWith(ResourceList other)
    {
        foreach (var (name, amount) in other._amounts)
        {
            _amounts[name] = Math.Max(_amounts.GetValueOrDefault(name), amount);
        }
    }

    private static long ToUnits(string name, decimal amount) =>
        (long)Math.Ceiling(name == Cpu ? amount * 1000 : amount);
}
