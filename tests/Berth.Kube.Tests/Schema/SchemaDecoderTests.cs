using System.Text.Json.Nodes;
using Berth.Kube.Schema;

namespace Berth.Kube.Tests.Schema;

public sealed class SchemaDecoderTests
{
    private static TypeSchema Deployment => ClientModelSchemas.Shared.ForKind("apps", "v1", "Deployment")!;

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    [Fact]
    public void KnownFields_DecodeUnchanged()
    {
        var obj = Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"w","labels":{"a":"b"}},
             "spec":{"replicas":2,"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":1}},
             "template":{"spec":{"containers":[{"name":"c","image":"i","resources":{"limits":{"cpu":"500m","memory":"1Gi"}}}]}}}}
            """);
        var before = obj.DeepClone();

        var result = SchemaDecoder.Decode(obj, Deployment);

        Assert.Empty(result.UnknownFields);
        Assert.Null(result.TypeError);
        Assert.True(JsonNode.DeepEquals(before, obj));
    }

    [Fact]
    public void Quantities_AreKeptAsCanonicalStrings()
    {
        var obj = Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"w"},
             "spec":{"template":{"spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":0.5,"memory":"1.5Gi"},"requests":{"cpu":"100m"}}}]}}}}
            """);

        var result = SchemaDecoder.Decode(obj, Deployment);

        Assert.Null(result.TypeError);
        Assert.Equal("""{"limits":{"cpu":"500m","memory":"1536Mi"},"requests":{"cpu":"100m"}}""",
            obj["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]!.ToJsonString());
    }

    [Fact]
    public void QuantityFields_AreMadeCanonicalInPlace_BesideTheFieldsAfterThem()
    {
        var obj = Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"w"},
             "spec":{"template":{"spec":{"volumes":[{"name":"v","emptyDir":{"sizeLimit":"1.5Gi","medium":"Memory","extra":1}}]}}}}
            """);

        var result = SchemaDecoder.Decode(obj, Deployment);

        Assert.Null(result.TypeError);
        Assert.Equal(["spec.template.spec.volumes[0].emptyDir.extra"], result.UnknownFields);
        Assert.Equal("""{"sizeLimit":"1536Mi","medium":"Memory"}""", obj["spec"]!["template"]!["spec"]!["volumes"]![0]!["emptyDir"]!.ToJsonString());
    }

    [Fact]
    public void UnknownFields_AreDroppedAndNamedByPath()
    {
        var obj = Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","extra":1,"metadata":{"name":"w"},
             "spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"b","colour":"red"}]}}}}
            """);

        var result = SchemaDecoder.Decode(obj, Deployment);

        Assert.Equal(["extra", "spec.template.spec.containers[1].colour"], result.UnknownFields);
        Assert.Null(obj["extra"]);
        Assert.Null(obj["spec"]!["template"]!["spec"]!["containers"]![1]!["colour"]);
    }

    [Fact]
    public void NullFields_AreDropped_AsGoDecodesThemToUnset()
    {
        var obj = Parse("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"w","labels":null},"spec":null}""");

        SchemaDecoder.Decode(obj, Deployment);

        Assert.False(obj.ContainsKey("spec"));
        Assert.False(obj["metadata"]!.AsObject().ContainsKey("labels"));
    }

    [Theory]
    [InlineData("""{"spec":{"replicas":"two"}}""", "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32")]
    [InlineData("""{"spec":{"replicas":1.5}}""", "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32")]
    [InlineData("""{"spec":{"replicas":4294967296}}""", "json: cannot unmarshal number 4294967296 into Go struct field DeploymentSpec.spec.replicas of type int32")]
    [InlineData("""{"spec":{"paused":"yes"}}""", "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool")]
    [InlineData("""{"spec":{"strategy":"fast"}}""", "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.strategy of type v1.DeploymentStrategy")]
    [InlineData("""{"metadata":{"labels":{"a":1}}}""", "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string")]
    [InlineData("""{"metadata":{"finalizers":"x"}}""", "json: cannot unmarshal string into Go struct field ObjectMeta.metadata.finalizers of type []string")]
    [InlineData("""{"spec":{"template":{"spec":{"containers":[{"ports":[{"containerPort":"80"}]}]}}}}""",
        "json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32")]
    [InlineData("""{"spec":{"strategy":{"rollingUpdate":{"maxSurge":true}}}}""",
        "json: cannot unmarshal bool into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type intstr.IntOrString")]
    public void WrongTypes_StopDecodingWithGosMessage(string json, string expected)
    {
        var result = SchemaDecoder.Decode(Parse(json), Deployment);

        Assert.Equal(expected, result.TypeError);
    }

    [Fact]
    public void Quantities_MustBeNumbersOrQuantityStrings()
    {
        var bad = Parse("""{"spec":{"template":{"spec":{"containers":[{"resources":{"limits":{"cpu":"lots"}}}]}}}}""");

        Assert.StartsWith("quantities must match the regular expression", SchemaDecoder.Decode(bad, Deployment).TypeError, StringComparison.Ordinal);
    }

    [Fact]
    public void EmbeddedObjects_AreKeptAsSent()
    {
        var crd = ClientModelSchemas.Shared.ForKind("apiextensions.k8s.io", "v1", "CustomResourceDefinition")!;
        var obj = Parse("""
            {"spec":{"versions":[{"name":"v1","schema":{"openAPIV3Schema":{"type":"object","default":{"anything":[1,"two"]},
             "properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}]}}
            """);
        var before = obj.DeepClone();

        var result = SchemaDecoder.Decode(obj, crd);

        Assert.Empty(result.UnknownFields);
        Assert.True(JsonNode.DeepEquals(before, obj));
    }
}
