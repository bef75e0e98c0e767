using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Berth.Bench.Scheduler;

/// <summary>
/// The baseline: the same pods created and bound by the clients themselves, each to the next node in turn, as a
/// scheduler that takes no time to decide would bind them. Its rate is what the API and store allow for the
/// writes a scheduled pod needs (its create and its binding), on the same server and cores.
/// </summary>
internal static class OracleRun
{
    private const string Namespace = "oracle";

    public static async Task<Measurement> RunAsync(Clients clients, int pods, int nodes)
    {
        await clients.CreateNamespaceAsync(Namespace);
        return await Timed.ConcurrentAsync(pods, clients.Count, async i =>
        {
            var pod = PodDocuments.Pod($"pod-{i}", Namespace);
            pod["spec"]!["schedulerName"] = "oracle"; // not the default scheduler's to place
            var client = clients.Next();
            Clients.Check(await client.PostAsJsonAsync($"api/v1/namespaces/{Namespace}/pods", pod));
            Clients.Check(await client.PostAsJsonAsync($"api/v1/namespaces/{Namespace}/pods/pod-{i}/binding", new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Binding",
                ["metadata"] = new JsonObject { ["name"] = $"pod-{i}" },
                ["target"] = new JsonObject { ["kind"] = "Node", ["name"] = HollowNodes.Name(i % nodes) },
            }));
        });
    }
}
