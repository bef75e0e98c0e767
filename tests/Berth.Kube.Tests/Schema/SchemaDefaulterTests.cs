using System.Text.Json.Nodes;
using Berth.Kube.Schema;

namespace Berth.Kube.Tests.Schema;

public sealed class SchemaDefaulterTests
{
    private static readonly TypeSchema s_schema = CustomResourceSchema.ForKind("example.com", "v1", "Widget", (JsonObject)JsonNode.Parse("""
        {
          "type": "object",
          "properties": {
            "spec": {
              "type": "object",
              "default": {},
              "properties": {
                "size": {"type": "integer", "default": 3},
                "mode": {"type": "string", "default": "fast"},
                "parts": {"type": "array", "items": {"type": "object", "properties": {"kind": {"type": "string", "default": "bolt"}}}}
              }
            }
          }
        }
        """)!);

    [Fact]
    public void Apply_FillsLeftOutFields_InsideDefaultedObjectsToo()
    {
        var obj = new JsonObject { ["apiVersion"] = "example.com/v1", ["kind"] = "Widget", ["metadata"] = new JsonObject { ["name"] = "w" } };

        SchemaDefaulter.Apply(obj, s_schema);

        Assert.Equal("""{"size":3,"mode":"fast"}""", obj["spec"]!.ToJsonString());
    }

    [Fact]
    public void Apply_KeepsWhatWasGiven_AndDefaultsListItems()
    {
        var obj = (JsonObject)JsonNode.Parse("""{"spec":{"size":7,"parts":[{},{"kind":"nut"}]}}""")!;

        SchemaDefaulter.Apply(obj, s_schema);

        Assert.Equal("""{"size":7,"parts":[{"kind":"bolt"},{"kind":"nut"}],"mode":"fast"}""", obj["spec"]!.ToJsonString());
    }
}
