using System.Text.Json.Nodes;

namespace Berth.Bench.Kube;

/// <summary>A pod of ordinary size: labels, one container with ports, resources and env.</summary>
internal static class PodDocuments
{
    public static JsonObject Pod(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = "default",
            ["labels"] = new JsonObject { ["app"] = "bench", ["tier"] = "web" },
        },
        ["spec"] = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "web",
                ["image"] = "registry.local/bench/web:1.0",
                ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 8080, ["name"] = "http" }),
                ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = "100m", ["memory"] = "64Mi" } },
                ["env"] = new JsonArray(new JsonObject { ["name"] = "MODE", ["value"] = "bench" }),
            }),
        },
    };
}
