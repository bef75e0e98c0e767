using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Berth.Bench.Scheduler;

/// <summary>
/// Node objects without agents behind them, as kubemark's hollow nodes are: registered through the API with the
/// labels, capacity and Ready condition a simulated agent reports, spread over three zones.
/// </summary>
internal static class HollowNodes
{
    public static Task CreateAsync(Clients clients, int count) =>
        Timed.ConcurrentAsync(count, clients.Count, async i =>
            Clients.Check(await clients.Next().PostAsJsonAsync("api/v1/nodes", Node($"hollow-{i}", $"zone-{i % 3}"))));

    public static string Name(int index) => $"hollow-{index}";

    private static JsonObject Node(string name, string zone)
    {
        JsonObject Resources() => new() { ["cpu"] = "32", ["memory"] = "128Gi", ["pods"] = "110" };
        // The heartbeat is stamped ten minutes ahead: nobody renews these nodes' leases, and the node lifecycle
        // controller must not find them silent (and taint them) while a run is still going.
        var heartbeat = DateTimeOffset.UtcNow.AddMinutes(10).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["labels"] = new JsonObject
                {
                    ["kubernetes.io/hostname"] = name,
                    ["kubernetes.io/os"] = "linux",
                    ["kubernetes.io/arch"] = "amd64",
                    ["topology.kubernetes.io/zone"] = zone,
                },
            },
            ["status"] = new JsonObject
            {
                ["capacity"] = Resources(),
                ["allocatable"] = Resources(),
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "Ready",
                    ["status"] = "True",
                    ["reason"] = "KubeletReady",
                    ["lastHeartbeatTime"] = heartbeat,
                }),
            },
        };
    }
}
