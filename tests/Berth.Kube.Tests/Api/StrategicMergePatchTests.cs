using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Api.Patching;
using Berth.Kube.Resources;

namespace Berth.Kube.Tests.Api;

public sealed class StrategicMergePatchTests
{
    private static readonly StrategicMergePatch s_deployment = new(MergeKeys.ForPodSpecAt("spec"));

    [Theory]
    [InlineData( // containers merge by name; the untouched fields stay
        """{"metadata":{},"spec":{"containers":[{"name":"a","image":"x:1","ports":[{"containerPort":80}]},{"name":"b","image":"y:1"}]}}""",
        """{"spec":{"containers":[{"name":"a","image":"x:2"}]}}""",
        """{"metadata":{},"spec":{"containers":[{"name":"a","image":"x:2","ports":[{"containerPort":80}]},{"name":"b","image":"y:1"}]}}""")]
    [InlineData( // a new element is appended; ports merge by containerPort
        """{"metadata":{},"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"http"}]}]}}""",
        """{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443}]},{"name":"c","image":"z"}]}}""",
        """{"metadata":{},"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"http","protocol":"TCP"},{"containerPort":443}]},{"name":"c","image":"z"}]}}""")]
    [InlineData( // $patch: delete removes an element by its key
        """{"metadata":{},"spec":{"containers":[{"name":"a"},{"name":"b"}]}}""",
        """{"spec":{"containers":[{"name":"a","$patch":"delete"}]}}""",
        """{"metadata":{},"spec":{"containers":[{"name":"b"}]}}""")]
    [InlineData( // $setElementOrder puts merged elements in the given order
        """{"metadata":{},"spec":{"containers":[{"name":"a"},{"name":"b"}]}}""",
        """{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],"containers":[{"name":"a","image":"i"}]}}""",
        """{"metadata":{},"spec":{"containers":[{"name":"b"},{"name":"a","image":"i"}]}}""")]
    [InlineData( // lists without a merge key are replaced; null deletes
        """{"metadata":{},"spec":{"tolerations":[{"key":"a"}],"nodeName":"n"}}""",
        """{"spec":{"tolerations":[{"key":"b"}],"nodeName":null}}""",
        """{"metadata":{},"spec":{"tolerations":[{"key":"b"}]}}""")]
    [InlineData( // finalizers are a set; $deleteFromPrimitiveList takes values out
        """{"metadata":{"finalizers":["a","b"]}}""",
        """{"metadata":{"finalizers":["c","a"],"$deleteFromPrimitiveList/finalizers":["b"]}}""",
        """{"metadata":{"finalizers":["a","c"]}}""")]
    [InlineData( // $retainKeys clears the fields not named; $patch: replace replaces
        """{"metadata":{},"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}},"template":{"a":1,"b":2}}}""",
        """{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"},"template":{"$patch":"replace","c":3}}}""",
        """{"metadata":{},"spec":{"strategy":{"type":"Recreate"},"template":{"c":3}}}""")]
    public void Apply_LikeKubernetes(string target, string patch, string expected)
    {
        var result = s_deployment.Apply(JsonNode.Parse(target)!.AsObject(), JsonNode.Parse(patch)!.AsObject());

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), result), result.ToJsonString());
    }

    [Fact]
    public void Apply_OddOrderAndOddElements_AreNotACrash()
    {
        var result = s_deployment.Apply(
            JsonNode.Parse("""{"metadata":{"ownerReferences":["x"]},"spec":{"containers":[{"name":"a"}]}}""")!.AsObject(),
            JsonNode.Parse("""{"metadata":{"ownerReferences":[{"uid":"u"}]},"spec":{"$setElementOrder/containers":["a"],"containers":[{"name":"a","image":"i"}]}}""")!.AsObject());

        Assert.Equal("i", result["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_ElementWithoutItsMergeKey_IsBadRequest()
    {
        var error = Assert.Throws<KubeApiException>(() => s_deployment.Apply(
            JsonNode.Parse("""{"spec":{"containers":[{"name":"a"}]}}""")!.AsObject(),
            JsonNode.Parse("""{"spec":{"containers":[{"image":"x"}]}}""")!.AsObject()));

        Assert.Equal(400, error.Code);
    }
}
