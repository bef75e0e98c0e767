using Berth.Kube.Api;

namespace Berth.Kube.Tests.Api;

public sealed class RequestInfoTests
{
    [Theory]
    [InlineData("GET", "/api/v1/namespaces", false, "list", "", "v1", "namespaces", null, null)]
    [InlineData("GET", "/api/v1/namespaces/team", false, "get", "", "v1", "namespaces", "team", "team")]
    [InlineData("GET", "/api/v1/namespaces/team/configmaps", false, "list", "", "v1", "configmaps", "team", null)]
    [InlineData("GET", "/api/v1/namespaces/team/configmaps", true, "watch", "", "v1", "configmaps", "team", null)]
    [InlineData("GET", "/api/v1/configmaps", false, "list", "", "v1", "configmaps", null, null)]
    [InlineData("POST", "/api/v1/namespaces/team/configmaps", false, "create", "", "v1", "configmaps", "team", null)]
    [InlineData("PUT", "/apis/apps/v1/namespaces/team/deployments/web", false, "update", "apps", "v1", "deployments", "team", "web")]
    [InlineData("DELETE", "/apis/apps/v1/namespaces/team/deployments", false, "deletecollection", "apps", "v1", "deployments", "team", null)]
    [InlineData("PATCH", "/api/v1/nodes/n1", false, "patch", "", "v1", "nodes", null, "n1")]
    public void Parse_ResourcePaths_LikeKubeApiserver(string method, string path, bool watch,
        string verb, string group, string version, string resource, string? ns, string? name)
    {
        var info = RequestInfo.Parse(method, path, watch);

        Assert.NotNull(info);
        Assert.Equal((verb, group, version, resource, ns, name), (info.Verb, info.Group, info.Version, info.Resource, info.Namespace, info.Name));
    }

    [Fact]
    public void Parse_Subresource_IsSeparated()
    {
        var info = RequestInfo.Parse("PUT", "/apis/apps/v1/namespaces/team/deployments/web/scale", false);

        Assert.Equal(("deployments", "web", "scale"), (info!.Resource, info.Name, info.Subresource));
    }

    [Fact]
    public void Parse_NamespaceStatus_IsTheNamespacesSubresource()
    {
        var info = RequestInfo.Parse("PUT", "/api/v1/namespaces/team/status", false);

        Assert.Equal(("namespaces", "team", "status", "team"), (info!.Resource, info.Name, info.Subresource, info.Namespace));
    }

    [Theory]
    [InlineData("/api")]
    [InlineData("/api/v1")]
    [InlineData("/apis/apps")]
    [InlineData("/healthz")]
    [InlineData("/api/v1/namespaces/a/configmaps/b/c/d")]
    [InlineData("/api/v1//x")]
    public void Parse_NonResourcePaths_AreNull(string path) => Assert.Null(RequestInfo.Parse("GET", path, false));
}
