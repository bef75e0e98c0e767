using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Resources.Core;

namespace Berth.Kube.Controllers.Networking;

/// <summary>
/// One pod behind a Service: its address, its state as endpoint conditions, where it runs, and its hostname when its
/// subdomain is the Service (a StatefulSet's pods under their governing Service), which cluster DNS names it by.
/// </summary>
internal sealed record Backend(string Ip, bool Ready, bool Serving, bool Terminating, string? NodeName, string PodName, string PodUid, string? Hostname);

/// <summary>A Service port as a pod serves it: the Service port's name and protocol, and the pod's port number.</summary>
internal sealed record BackendPort(string? Name, int Port, string Protocol);

/// <summary>Pods that serve the same ports, as one EndpointSlice (or Endpoints subset) lists them.</summary>
internal sealed record BackendGroup(IReadOnlyList<BackendPort> Ports, IReadOnlyList<Backend> Backends);

/// <summary>
/// Which pods back a Service, as the endpoint controllers of kube-controller-manager read it: the pods of its namespace
/// its selector matches that have an address and have not ended, each with its readiness (a terminating pod is not
/// ready, though it may still be serving); and the ports, a named <c>targetPort</c> resolved in each pod's containers,
/// so pods that number a port differently land in different groups.
/// </summary>
internal static class ServiceBackends
{
    /// <summary>Whether the Service's endpoints are the controllers' to keep: it has a selector.</summary>
    public static bool IsManaged(JsonObject service) => service["spec"]?["selector"] is JsonObject { Count: > 0 };

    /// <summary>The owner references of what the endpoint controllers make for a Service: the Service, as their controller.</summary>
    public static JsonArray OwnedBy(JsonObject service) => new(new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["name"] = service["metadata"]!["name"]!.GetValue<string>(),
        ["uid"] = service["metadata"]!["uid"]!.GetValue<string>(),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    });

    public static IReadOnlyList<BackendGroup> Compute(JsonObject service, IEnumerable<JsonObject> podsOfNamespace)
    {
        var selector = LabelSelector.Parse(string.Join(',', (service["spec"]!["selector"] as JsonObject)!.Select(p => $"{p.Key}={p.Value.AsText()}")));
        var publishNotReady = service["spec"]?["publishNotReadyAddresses"]?.GetValue<bool>() == true;
        var groups = new Dictionary<string, (List<BackendPort> Ports, List<Backend> Backends)>(StringComparer.Ordinal);
        foreach (var pod in podsOfNamespace)
        {
            if (!selector.Matches(pod) || pod["status"]?["podIP"].AsText() is not { Length: > 0 } ip
                || pod["status"]?["phase"].AsText() is "Succeeded" or "Failed")
            {
                continue;
            }
            var terminating = pod["metadata"]?["deletionTimestamp"] is not null;
            var ready = PodConditions.IsTrue(pod, PodConditions.Ready);
            var metadata = pod["metadata"]!;
            var hostname = pod["spec"]?["subdomain"].AsText() == service["metadata"]?["name"].AsText() ? pod["spec"]?["hostname"].AsText() : null;
            var backend = new Backend(ip, (ready || publishNotReady) && !terminating, ready || publishNotReady, terminating, pod["spec"]?["nodeName"].AsText(),
                metadata["name"]!.GetValue<string>(), metadata["uid"]!.GetValue<string>(), hostname is { Length: > 0 } ? hostname : null);
            var ports = Ports(service, pod);
            var signature = string.Join(';', ports.Select(p => $"{p.Name}/{p.Port}/{p.Protocol}"));
            if (!groups.TryGetValue(signature, out var group))
            {
                groups[signature] = group = (ports, []);
            }
            group.Backends.Add(backend);
        }
        return [.. groups.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new BackendGroup(g.Value.Ports, [.. g.Value.Backends.OrderBy(b => b.PodName, StringComparer.Ordinal)]))];
    }

    /// <summary>The Service's ports as this pod serves them; a named target the pod has no port of is left out, as Kubernetes leaves it.</summary>
    private static List<BackendPort> Ports(JsonObject service, JsonObject pod)
    {
        var ports = new List<BackendPort>();
        foreach (var port in (service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var protocol = port["protocol"].AsText() ?? "TCP";
            var target = port["targetPort"] ?? port["port"];
            int? number = target is JsonValue v && v.TryGetValue<int>(out var n) ? n
                : target.AsText() is { } name ? NamedPort(pod, name, protocol)
                : null;
            if (number is { } resolved)
            {
                ports.Add(new BackendPort(port["name"].AsText(), resolved, protocol));
            }
        }
        return ports;
    }

    private static int? NamedPort(JsonObject pod, string name, string protocol) =>
        (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>()
            .SelectMany(c => (c["ports"] as JsonArray ?? []).OfType<JsonObject>())
            .Where(p => p["name"].AsText() == name && (p["protocol"].AsText() ?? "TCP") == protocol)
            .Select(p => (int?)p["containerPort"]!.GetValue<int>()).FirstOrDefault();
}
