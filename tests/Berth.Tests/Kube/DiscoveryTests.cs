using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Berth.Tests.Kube;

/// <summary>Aggregated and legacy discovery, negotiated as kube-apiserver does, and the Swagger 2.0 document.</summary>
public sealed class DiscoveryTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>, IDisposable
{
    /// <summary>What client-go 1.32 sends for <c>/api</c> and <c>/apis</c>.</summary>
    private const string ClientGoAccept =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

    private const string V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    private readonly HttpClient _http = fixture.CreateAdminClient();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Kubectl Kubectl => fixture.Kubectl;

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Apis_AskedAsClientGoAsks_IsOneAggregatedDocument()
    {
        var (response, document) = await GetAsync("apis", ClientGoAccept);

        var contentType = response.Content.Headers.ContentType!;
        Assert.Equal("application/json", contentType.MediaType);
        Assert.Equal(["g=apidiscovery.k8s.io", "v=v2", "as=APIGroupDiscoveryList"], contentType.Parameters.Select(p => $"{p.Name}={p.Value}"));
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal("APIGroupDiscoveryList", document["kind"]!.GetValue<string>());
        Assert.Equal("apidiscovery.k8s.io/v2", document["apiVersion"]!.GetValue<string>());
        Assert.DoesNotContain(Items(document), g => Name(g) == "");
        var deployments = Resource(document, "apps", "v1", "deployments");
        Assert.Equal("""{"group":"apps","version":"v1","kind":"Deployment"}""", deployments["responseKind"]!.ToJsonString());
        Assert.Equal("Namespaced", deployments["scope"]!.GetValue<string>());
        Assert.Equal("deployment", deployments["singularResource"]!.GetValue<string>());
        Assert.Equal("""["create","delete","deletecollection","get","list","patch","update","watch"]""", deployments["verbs"]!.ToJsonString());
        Assert.Equal("""["deploy"]""", deployments["shortNames"]!.ToJsonString());
        Assert.Equal("""["all"]""", deployments["categories"]!.ToJsonString());
        Assert.Equal(
            """[{"subresource":"scale","responseKind":{"group":"autoscaling","version":"v1","kind":"Scale"},"verbs":["get","patch","update"]},"""
            + """{"subresource":"status","responseKind":{"group":"apps","version":"v1","kind":"Deployment"},"verbs":["get","patch","update"]}]""",
            deployments["subresources"]!.ToJsonString());
        Assert.Equal("Current", Version(document, "apps", "v1")["freshness"]!.GetValue<string>());
        var roles = Resource(document, "rbac.authorization.k8s.io", "v1", "clusterroles");
        Assert.Equal("Cluster", roles["scope"]!.GetValue<string>());
        Assert.Null(roles["categories"]);
        Assert.Null(roles["subresources"]);
        Assert.Equal("""["create"]""", Resource(document, "authorization.k8s.io", "v1", "selfsubjectaccessreviews")["verbs"]!.ToJsonString());
    }

    [Fact]
    public async Task Api_AskedAsClientGoAsks_HoldsTheCoreGroup()
    {
        var (_, document) = await GetAsync("api", ClientGoAccept);

        var core = Assert.Single(Items(document));
        Assert.Equal("{}", core["metadata"]!.ToJsonString());
        var pods = Resource(document, "", "v1", "pods");
        Assert.Equal("""{"group":"","version":"v1","kind":"Pod"}""", pods["responseKind"]!.ToJsonString());
        Assert.Equal("""["po"]""", pods["shortNames"]!.ToJsonString());
        Assert.Equal("""["all"]""", pods["categories"]!.ToJsonString());
        Assert.Equal("Cluster", Resource(document, "", "v1", "namespaces")["scope"]!.GetValue<string>());
        Assert.Null(Resource(document, "", "v1", "configmaps")["categories"]);
        Assert.Equal(
            """[{"subresource":"token","responseKind":{"group":"authentication.k8s.io","version":"v1","kind":"TokenRequest"},"verbs":["create"]}]""",
            Resource(document, "", "v1", "serviceaccounts")["subresources"]!.ToJsonString());
    }

    [Theory]
    [InlineData(null, "APIVersions")]
    [InlineData("application/json", "APIVersions")]
    [InlineData("*/*", "APIVersions")]
    [InlineData("application/json, " + V2, "APIVersions")]
    [InlineData("application/json;as=Table;g=meta.k8s.io;v=v1, application/json", "APIVersions")]
    [InlineData("application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList", "APIVersions")]
    [InlineData(V2, "apidiscovery.k8s.io/v2")]
    [InlineData("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList", "apidiscovery.k8s.io/v2beta1")]
    [InlineData("application/json;q=0.5, application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList;q=0.9", "apidiscovery.k8s.io/v2beta1")]
    [InlineData("application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList, " + V2 + ";q=0.9, application/json;q=0.8", "apidiscovery.k8s.io/v2")]
    [InlineData(V2 + ";q=0, application/json", "APIVersions")]
    [InlineData("*/*;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", "apidiscovery.k8s.io/v2")]
    public async Task Api_IsNegotiatedAsKubeApiserverNegotiates(string? accept, string expected)
    {
        var (response, document) = await GetAsync("api", accept);

        Assert.Equal(expected, expected == "APIVersions" ? document["kind"]!.GetValue<string>() : document["apiVersion"]!.GetValue<string>());
        if (expected == "APIVersions")
        {
            Assert.Equal("application/json", response.Content.Headers.ContentType!.ToString());
            Assert.Equal("""["v1"]""", document["versions"]!.ToJsonString());
        }
        else
        {
            Assert.Contains($"v={expected.Split('/')[1]}", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        }
        Assert.Contains("Accept", response.Headers.Vary);
    }

    [Fact]
    public async Task Apis_WithoutTheAggregatedType_IsTheLegacyGroupList()
    {
        var (_, groups) = await GetAsync("apis", "application/json");
        var (_, apps) = await GetAsync("apis/apps/v1", ClientGoAccept);

        Assert.Equal("APIGroupList", groups["kind"]!.GetValue<string>());
        Assert.Contains(groups["groups"]!.AsArray(), g => g!["name"]!.GetValue<string>() == "apps");
        Assert.Equal("APIResourceList", apps["kind"]!.GetValue<string>());
        var deployments = apps["resources"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "deployments")!;
        Assert.Equal("""["all"]""", deployments["categories"]!.ToJsonString());
        var scale = apps["resources"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "deployments/scale")!;
        Assert.Equal("autoscaling", scale["group"]!.GetValue<string>());
    }

    [Fact]
    public async Task Aggregated_IfNoneMatchItsETag_IsNotModified()
    {
        var (first, _) = await GetAsync("apis", ClientGoAccept);
        var etag = first.Headers.ETag!;

        using var again = new HttpRequestMessage(HttpMethod.Get, "apis");
        again.Headers.Accept.ParseAdd(V2);
        again.Headers.IfNoneMatch.Add(etag);
        using var response = await _http.SendAsync(again, Ct);
        using var stale = new HttpRequestMessage(HttpMethod.Get, "apis");
        stale.Headers.Accept.ParseAdd(V2);
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"0123\""));
        using var changed = await _http.SendAsync(stale, Ct);

        Assert.Matches("^\"[0-9A-F]{128}\"$", etag.Tag);
        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Equal(etag, response.Headers.ETag);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
    }

    [Fact]
    public async Task CustomResource_OnceEstablished_IsInAggregatedDiscovery()
    {
        var (before, _) = await GetAsync("apis", ClientGoAccept);
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: gadgets.discovery.example.com
            spec:
              group: discovery.example.com
              scope: Cluster
              names: {plural: gadgets, singular: gadget, kind: Gadget, shortNames: [gd], categories: [all, toys]}
              versions:
              - name: v1
                served: true
                storage: true
                subresources: {status: {}}
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec: {type: object, properties: {size: {type: integer}}}
                      status: {type: object, x-kubernetes-preserve-unknown-fields: true}
            """));
        await Kubectl.SucceedAsync("wait", "--for=condition=Established", "crd/gadgets.discovery.example.com", "--timeout=20s");

        using var request = new HttpRequestMessage(HttpMethod.Get, "apis");
        request.Headers.Accept.ParseAdd(V2);
        request.Headers.IfNoneMatch.Add(before.Headers.ETag!);
        using var response = await _http.SendAsync(request, Ct);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(before.Headers.ETag, response.Headers.ETag);
        var gadgets = Resource(document, "discovery.example.com", "v1", "gadgets");
        Assert.Equal("""{"group":"discovery.example.com","version":"v1","kind":"Gadget"}""", gadgets["responseKind"]!.ToJsonString());
        Assert.Equal("Cluster", gadgets["scope"]!.GetValue<string>());
        Assert.Equal("gadget", gadgets["singularResource"]!.GetValue<string>());
        Assert.Equal("""["gd"]""", gadgets["shortNames"]!.ToJsonString());
        Assert.Equal("""["all","toys"]""", gadgets["categories"]!.ToJsonString());
        Assert.Equal("status", gadgets["subresources"]![0]!["subresource"]!.GetValue<string>());
        var toys = await Kubectl.SucceedAsync("api-resources", "--categories=toys", "-o", "name", "--cache-dir", CacheDirectory());
        Assert.Equal("gadgets.discovery.example.com", toys.Trim());
    }

    [Fact]
    public async Task KubectlApiResourcesAndVersions_ListWhatAggregatedDiscoveryLists()
    {
        var (_, api) = await GetAsync("api", ClientGoAccept);
        var (_, apis) = await GetAsync("apis", ClientGoAccept);
        var served = Items(api).Concat(Items(apis))
            .SelectMany(g => g["versions"]!.AsArray().SelectMany(v => v!["resources"]!.AsArray().Select(r => (Group: Name(g), Resource: r!))))
            .ToList();
        var names = served.Select(s => s.Group.Length == 0 ? Text(s.Resource, "resource") : $"{Text(s.Resource, "resource")}.{s.Group}").Distinct().Order(StringComparer.Ordinal);
        var all = served.Where(s => s.Resource["categories"]?.AsArray().Any(c => c!.GetValue<string>() == "all") == true)
            .Select(s => s.Group.Length == 0 ? Text(s.Resource, "resource") : $"{Text(s.Resource, "resource")}.{s.Group}").Distinct().Order(StringComparer.Ordinal);
        var groupVersions = Items(api).Concat(Items(apis))
            .SelectMany(g => g["versions"]!.AsArray().Select(v => Name(g).Length == 0 ? Text(v!, "version") : $"{Name(g)}/{Text(v!, "version")}"))
            .Order(StringComparer.Ordinal);
        var cache = CacheDirectory();

        var (exitCode, listed, log) = await Kubectl.RunAsync("api-resources", "-o", "name", "--cache-dir", cache, "-v=6");
        var versions = await Kubectl.SucceedAsync("api-versions", "--cache-dir", cache);
        var inAll = await Kubectl.SucceedAsync("api-resources", "--categories=all", "-o", "name", "--cache-dir", cache);

        Assert.True(exitCode == 0, log);
        Assert.Equal(names, Lines(listed));
        Assert.Equal(groupVersions, Lines(versions));
        Assert.Contains("deployments.apps", Lines(inAll));
        Assert.Equal(all, Lines(inAll));
        // aggregated discovery answered in two requests: no group/version was asked for on its own
        Assert.Matches(@"GET https://\S+/apis\?timeout=\S+ 200 OK", log);
        Assert.DoesNotMatch(@"GET https://\S+/apis/apps/v1\?", log);
        var everything = await Kubectl.SucceedAsync("get", "all", "-n", "default", "--cache-dir", cache);
        Assert.Matches(@"service/kubernetes\s+ClusterIP\s+10\.100\.0\.1", everything);
    }

    [Fact]
    public async Task OpenApiV2_IsSwagger20_WithADefinitionForEveryServedKind()
    {
        var (_, apis) = await GetAsync("apis", ClientGoAccept);
        var (_, api) = await GetAsync("api", ClientGoAccept);
        using var response = await _http.GetAsync("openapi/v2", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var swagger = JsonNode.Parse(text)!.AsObject();
        var definitions = swagger["definitions"]!.AsObject();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("2.0", swagger["swagger"]!.GetValue<string>());
        Assert.Equal("v1.32.0", swagger["info"]!["version"]!.GetValue<string>());
        Assert.Null(swagger["components"]);
        foreach (var group in Items(api).Concat(Items(apis)))
        {
            foreach (var version in group["versions"]!.AsArray())
            {
                foreach (var resource in version!["resources"]!.AsArray())
                {
                    var kind = resource!["responseKind"]!;
                    Assert.True(definitions.Any(d => d.Value!["x-kubernetes-group-version-kind"]?.AsArray().Any(k => JsonNode.DeepEquals(k, kind)) == true),
                        $"no definition for {kind.ToJsonString()}");
                }
            }
        }
        Assert.Equal("""[{"group":"apps","kind":"Deployment","version":"v1"}]""", definitions["io.k8s.api.apps.v1.Deployment"]!["x-kubernetes-group-version-kind"]!.ToJsonString());
        Assert.Equal("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", definitions["io.k8s.api.core.v1.Pod"]!["properties"]!["metadata"]!["$ref"]!.GetValue<string>());
        Assert.Equal("int-or-string", definitions["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]!["format"]!.GetValue<string>());
        foreach (var reference in References(swagger))
        {
            Assert.StartsWith("#/definitions/", reference, StringComparison.Ordinal);
            Assert.True(definitions.ContainsKey(reference["#/definitions/".Length..]), $"{reference} does not resolve");
        }
        var patch = swagger["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]!["patch"]!;
        Assert.Equal("patch", patch["x-kubernetes-action"]!.GetValue<string>());
        Assert.Equal("""{"group":"apps","kind":"Deployment","version":"v1"}""", patch["x-kubernetes-group-version-kind"]!.ToJsonString());
        Assert.Contains(patch["parameters"]!.AsArray(), p => p!["in"]!.GetValue<string>() == "body");
        Assert.Contains(patch["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "fieldValidation" && p["type"]!.GetValue<string>() == "string");
        Assert.Equal("#/definitions/io.k8s.api.apps.v1.Deployment", patch["responses"]!["200"]!["schema"]!["$ref"]!.GetValue<string>());
        await ValidateSwaggerAsync(text);
    }

    [Fact]
    public async Task OpenApiV2_IfNoneMatchItsETag_IsNotModified()
    {
        using var first = await _http.GetAsync("openapi/v2", Ct);
        using var again = new HttpRequestMessage(HttpMethod.Get, "openapi/v2");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var response = await _http.SendAsync(again, Ct);

        Assert.Matches("^\"[0-9A-F]{128}\"$", first.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Theory]
    [InlineData("application/com.github.proto-openapi.spec.v2@v1.0+protobuf", HttpStatusCode.NotAcceptable)]
    [InlineData("application/com.github.proto-openapi.spec.v2.v1.0+protobuf", HttpStatusCode.NotAcceptable)]
    [InlineData("application/com.github.proto-openapi.spec.v2@v1.0+protobuf, application/json;q=0.5", HttpStatusCode.OK)]
    [InlineData("*/*", HttpStatusCode.OK)]
    [InlineData("application/json", HttpStatusCode.OK)]
    public async Task OpenApiV2_IsJsonOnly(string accept, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "openapi/v2");
        request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await _http.SendAsync(request, Ct);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.OK)
        {
            Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        }
        else
        {
            Assert.Empty(await response.Content.ReadAsByteArrayAsync(Ct));
        }
    }

    /// <summary>Checks the document with Debian's Swagger 2.0 validator: the specification's schema and its reference rules.</summary>
    private async Task ValidateSwaggerAsync(string text)
    {
        var path = Path.Combine(fixture.DataDirectory, "swagger.json");
        await File.WriteAllTextAsync(path, text, Ct);
        var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import json, sys; from swagger_spec_validator.validator20 import validate_spec; validate_spec(json.load(open(sys.argv[1])))");
        start.ArgumentList.Add(path);
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(120), Ct);
        Assert.True(process.ExitCode == 0, $"swagger_spec_validator: {await output}{await error}");
    }

    private async Task<(HttpResponseMessage Response, JsonNode Document)> GetAsync(string path, string? accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }
        var response = await _http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (response, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!);
    }

    private string CacheDirectory() => Path.Combine(fixture.DataDirectory, "kubectl-cache-" + Guid.NewGuid().ToString("N"));

    private static IEnumerable<JsonNode> Items(JsonNode document) => document["items"]!.AsArray().Select(i => i!);

    private static string Name(JsonNode group) => group["metadata"]!["name"]?.GetValue<string>() ?? "";

    private static string Text(JsonNode node, string field) => node[field]!.GetValue<string>();

    private static JsonNode Version(JsonNode document, string group, string version) =>
        Items(document).Single(g => Name(g) == group)["versions"]!.AsArray().Single(v => Text(v!, "version") == version)!;

    private static JsonNode Resource(JsonNode document, string group, string version, string resource) =>
        Version(document, group, version)["resources"]!.AsArray().Single(r => Text(r!, "resource") == resource)!;

    private static string[] Lines(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal)];

    private static IEnumerable<string> References(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key == "$ref" && p.Value is JsonValue reference ? [reference.GetValue<string>()] : References(p.Value)),
        JsonArray a => a.SelectMany(References),
        _ => [],
    };
}
