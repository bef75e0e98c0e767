using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Berth.Kube.OpenApi;
using Berth.Kube.Resources;

namespace Berth.Kube.Tests.OpenApi;

public sealed class OpenApiV3DocumentsTests
{
    private readonly OpenApiV3Documents _documents = new(ResourceRegistry.BuiltIn(), ModelDocumentation.Shared);

    private JsonObject Document(string path) => JsonNode.Parse(_documents.Find(path)!.Json)!.AsObject();

    [Fact]
    public void Root_NamesEachGroupVersionByItsHash()
    {
        var root = _documents.Root();
        var apps = _documents.Find("apis/apps/v1")!;

        Assert.Equal($"/openapi/v3/apis/apps/v1?hash={apps.Hash}", root["paths"]!["apis/apps/v1"]!["serverRelativeURL"]!.GetValue<string>());
        Assert.NotNull(root["paths"]!["api/v1"]);
        Assert.Equal(Convert.ToHexString(SHA512.HashData(apps.Json)), apps.Hash);
    }

    [Fact]
    public void EveryWritableKind_HasAPatchOperationTakingFieldValidation()
    {
        foreach (var type in ResourceRegistry.BuiltIn().Types.Where(t => !t.Strategy.CreateOnly && !t.Strategy.Computed))
        {
            var document = Document(type.Group.Length == 0 ? "api/v1" : $"apis/{type.Group}/{type.Version}");
            var patch = document["paths"]!.AsObject()
                .Select(p => p.Value!["patch"])
                .First(op => op?["x-kubernetes-group-version-kind"]?["kind"]?.GetValue<string>() == type.Kind)!;

            Assert.Contains(patch["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "fieldValidation");
        }
    }

    [Fact]
    public void ComputedKinds_AreOnlyReadAndListed()
    {
        var paths = Document("apis/metrics.k8s.io/v1beta1")["paths"]!.AsObject();
        var pod = paths["/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods/{name}"]!.AsObject();
        Assert.Equal(["get", "parameters"], pod.Select(p => p.Key));
        Assert.Equal(["get", "parameters"], paths["/apis/metrics.k8s.io/v1beta1/nodes"]!.AsObject().Select(p => p.Key));
        Assert.NotNull(paths["/apis/metrics.k8s.io/v1beta1/pods"]!["get"]);
    }

    [Fact]
    public void Components_WrapReferencesAndCarryDescriptions()
    {
        var schemas = Document("apis/apps/v1")["components"]!["schemas"]!;
        var spec = schemas["io.k8s.api.apps.v1.DeploymentSpec"]!;
        var strategy = spec["properties"]!["strategy"]!;

        Assert.Equal("#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy", strategy["allOf"]![0]!["$ref"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(strategy["description"]?.GetValue<string>()));
        Assert.Equal("apps", schemas["io.k8s.api.apps.v1.Deployment"]!["x-kubernetes-group-version-kind"]![0]!["group"]!.GetValue<string>());
        Assert.NotNull(schemas["io.k8s.api.core.v1.PodSpec"]);
        Assert.NotNull(schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]);
    }

    [Fact]
    public void UnknownGroupVersion_IsNotFound() => Assert.Null(_documents.Find("apis/example.com/v1"));
}
