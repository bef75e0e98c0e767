using System.Text.Json.Nodes;

namespace Berth.Bench;

/// <summary>A pod of ordinary size: labels, one container with ports, resources and env.</summary>
public static class PodDocuments
{
    public static JsonObject Pod(string name, string ns = "default") => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
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
