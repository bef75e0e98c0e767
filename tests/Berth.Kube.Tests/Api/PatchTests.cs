using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Api.Patching;

namespace Berth.Kube.Tests.Api;

public sealed class PatchTests
{
    [Theory]
    [InlineData("""{"a":1,"b":{"c":2,"d":3}}""", """{"b":{"c":null,"e":4},"f":[1]}""", """{"a":1,"b":{"d":3,"e":4},"f":[1]}""")]
    [InlineData("""{"a":[1,2]}""", """{"a":[3]}""", """{"a":[3]}""")]
    [InlineData("""{"a":1}""", """{"a":{"b":1}}""", """{"a":{"b":1}}""")]
    public void MergePatch_FollowsRfc7386(string target, string patch, string expected) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), MergePatch.Apply(JsonNode.Parse(target), JsonNode.Parse(patch))));

    [Theory]
    [InlineData("""{"a":{"b":1}}""", """[{"op":"add","path":"/a/c","value":2}]""", """{"a":{"b":1,"c":2}}""")]
    [InlineData("""{"a":[1,3]}""", """[{"op":"add","path":"/a/1","value":2}]""", """{"a":[1,2,3]}""")]
    [InlineData("""{"a":[1]}""", """[{"op":"add","path":"/a/-","value":2}]""", """{"a":[1,2]}""")]
    [InlineData("""{"a":1,"b":2}""", """[{"op":"remove","path":"/a"}]""", """{"b":2}""")]
    [InlineData("""{"a":1}""", """[{"op":"replace","path":"/a","value":5}]""", """{"a":5}""")]
    [InlineData("""{"a":1}""", """[{"op":"move","from":"/a","path":"/b"}]""", """{"b":1}""")]
    [InlineData("""{"a":{"x":1}}""", """[{"op":"copy","from":"/a","path":"/b"}]""", """{"a":{"x":1},"b":{"x":1}}""")]
    [InlineData("""{"a":1}""", """[{"op":"replace","path":"","value":{"b":2}}]""", """{"b":2}""")]
    [InlineData("""{"a/b":1,"c~d":2}""", """[{"op":"remove","path":"/a~1b"},{"op":"test","path":"/c~0d","value":2}]""", """{"c~d":2}""")]
    public void JsonPatch_FollowsRfc6902(string target, string patch, string expected) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonPatch.Apply(JsonNode.Parse(target)!, JsonNode.Parse(patch)!.AsArray())));

    [Theory]
    [InlineData("""[{"op":"test","path":"/a","value":2}]""")]
    [InlineData("""[{"op":"remove","path":"/missing"}]""")]
    [InlineData("""[{"op":"add","path":"/a/b/c","value":1}]""")]
    [InlineData("""[{"op":"bogus","path":"/a"}]""")]
    [InlineData("""[{"op":"replace","path":"a","value":1}]""")]
    [InlineData("""[{"op":1,"path":"/a"}]""")]
    [InlineData("""[{"op":"move","from":5,"path":"/b"}]""")]
    [InlineData("""[{"op":"remove","path":""}]""")]
    public void JsonPatch_Failures_AreInvalid(string patch)
    {
        var error = Assert.Throws<KubeApiException>(() => JsonPatch.Apply(JsonNode.Parse("""{"a":1}""")!, JsonNode.Parse(patch)!.AsArray()));

        Assert.Equal(422, error.Code);
    }
}
