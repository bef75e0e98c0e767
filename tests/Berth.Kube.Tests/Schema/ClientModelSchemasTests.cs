using Berth.Kube.Schema;

namespace Berth.Kube.Tests.Schema;

public sealed class ClientModelSchemasTests
{
    [Fact]
    public void Kinds_AreNamedAsKubeApiserverPublishesThem()
    {
        var deployment = ClientModelSchemas.Shared.ForKind("apps", "v1", "Deployment")!;

        Assert.Equal("io.k8s.api.apps.v1.Deployment", deployment.Name);
        Assert.Equal([new GroupVersionKind("apps", "v1", "Deployment")], deployment.Kinds);
        Assert.Equal("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", deployment.Properties["metadata"].Schema.Name);
        Assert.Equal("io.k8s.api.core.v1.PodTemplateSpec", deployment.Properties["spec"].Schema.Properties["template"].Schema.Name);
    }

    [Fact]
    public void FieldTypes_FollowTheModels()
    {
        var pod = ClientModelSchemas.Shared.ForKind("", "v1", "Pod")!;
        var spec = pod.Properties["spec"].Schema;
        var container = spec.Properties["containers"].Schema.Items!;

        Assert.Equal(SchemaKind.Array, spec.Properties["containers"].Schema.Kind);
        Assert.Equal("int64", spec.Properties["terminationGracePeriodSeconds"].Schema.Format);
        Assert.Equal(SchemaKind.Map, pod.Properties["metadata"].Schema.Properties["labels"].Schema.Kind);
        Assert.Equal(SchemaKind.Quantity, container.Properties["resources"].Schema.Properties["limits"].Schema.Items!.Kind);
        Assert.Equal("date-time", pod.Properties["metadata"].Schema.Properties["creationTimestamp"].Schema.Format);
    }

    [Fact]
    public void RecursiveTypes_ReachThemselves()
    {
        var crd = ClientModelSchemas.Shared.ForKind("apiextensions.k8s.io", "v1", "CustomResourceDefinition")!;
        var props = crd.Properties["spec"].Schema.Properties["versions"].Schema.Items!
            .Properties["schema"].Schema.Properties["openAPIV3Schema"].Schema;

        Assert.Same(props, props.Properties["properties"].Schema.Items);
    }

    [Fact]
    public void UnknownKind_HasNoSchema() =>
        Assert.Null(ClientModelSchemas.Shared.ForKind("example.com", "v1", "Widget"));
}
