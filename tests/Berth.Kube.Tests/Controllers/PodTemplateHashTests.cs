using System.Text.Json.Nodes;
using Berth.Kube.Controllers.Workloads;

namespace Berth.Kube.Tests.Controllers;

public sealed class PodTemplateHashTests
{
    private static JsonNode Template(string json) => JsonNode.Parse(json)!;

    [Fact]
    public void Compute_IgnoresFieldOrder_AndUsesOnlySafeCharacters()
    {
        var a = PodTemplateHash.Compute(Template("""{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"x"}]}}"""), null);
        var b = PodTemplateHash.Compute(Template("""{"spec":{"containers":[{"image":"x","name":"c"}]},"metadata":{"labels":{"app":"web"}}}"""), null);
        Assert.Equal(a, b);
        Assert.Matches("^[bcdfghjklmnpqrstvwxz2456789]{1,10}$", a);
    }

    [Fact]
    public void Compute_ChangesWithTheTemplate_AndWithTheCollisionCount()
    {
        var template = Template("""{"spec":{"containers":[{"name":"c","image":"x"}]}}""");
        var other = Template("""{"spec":{"containers":[{"name":"c","image":"y"}]}}""");
        Assert.NotEqual(PodTemplateHash.Compute(template, null), PodTemplateHash.Compute(other, null));
        Assert.NotEqual(PodTemplateHash.Compute(template, null), PodTemplateHash.Compute(template, 1));
    }

    [Fact]
    public void SameTemplate_IgnoresTheHashLabel() =>
        Assert.True(PodTemplateHash.SameTemplate(
            Template("""{"metadata":{"labels":{"app":"web","pod-template-hash":"abc"}},"spec":{}}"""),
            Template("""{"metadata":{"labels":{"app":"web"}},"spec":{}}""")));
}
