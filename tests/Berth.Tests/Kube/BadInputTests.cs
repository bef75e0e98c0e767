using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Berth.Tests.Kube;

/// <summary>Malformed and hostile requests get Kubernetes' status codes and a Status body, never a 500.</summary>
public sealed class BadInputTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>, IDisposable
{
    private readonly HttpClient _http = fixture.CreateAdminClient();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("{", HttpStatusCode.BadRequest)]
    [InlineData("[]", HttpStatusCode.BadRequest)]
    [InlineData("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"apiVersion":"apps/v1","kind":"ConfigMap","metadata":{"name":"x"}}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"kind":5,"metadata":{"name":"x"}}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"UPPER"}}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"other"}}""", HttpStatusCode.BadRequest)]
    public async Task Create_Malformed_IsRefusedWithAStatus(string body, HttpStatusCode expected)
    {
        var response = await _http.PostAsync("api/v1/namespaces/default/configmaps", Json(body), Ct);

        await ExpectStatusAsync(response, expected);
    }

    [Theory]
    [InlineData("""{"apiVersion":"v1","metadata":{"name":"no-kind"}}""")]
    [InlineData("""{"kind":"ConfigMap","metadata":{"name":"no-version"}}""")]
    [InlineData("""{"metadata":{"name":"no-type"}}""")]
    public async Task Create_WithoutItsType_GetsTheTypeOfTheUrl(string body)
    {
        var response = await _http.PostAsync("api/v1/namespaces/default/configmaps", Json(body), Ct);
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("ConfigMap", created["kind"]!.GetValue<string>());
        Assert.Equal("v1", created["apiVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_NameTooLong_IsInvalid()
    {
        var body = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = new string('a', 254) },
        }.ToJsonString();

        var response = await _http.PostAsync("api/v1/namespaces/default/configmaps", Json(body), Ct);

        var status = await ExpectStatusAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("must be no more than 253 characters", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_BodyOver3MiB_Is413()
    {
        var body = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "big" },
            ["data"] = new JsonObject { ["x"] = new string('x', 3 * 1024 * 1024) },
        }.ToJsonString();

        var response = await _http.PostAsync("api/v1/namespaces/default/configmaps", Json(body), Ct);

        await ExpectStatusAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Create_StreamedBodyOver3MiB_WithoutContentLength_Is413()
    {
        var body = System.Text.Encoding.UTF8.GetBytes(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "big-stream" },
            ["data"] = new JsonObject { ["x"] = new string('x', 3 * 1024 * 1024) },
        }.ToJsonString());
        using var content = new UnknownLengthContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var response = await _http.PostAsync("api/v1/namespaces/default/configmaps", content, Ct);

        await ExpectStatusAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    /// <summary>A body sent without a Content-Length, as a client streaming it sends it.</summary>
    private sealed class UnknownLengthContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Theory]
    [InlineData("application/cbor", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("text/plain", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("application/vnd.kubernetes.protobuf", HttpStatusCode.BadRequest)]
    public async Task Create_BodyNotJsonOrProtobuf_Is415_AndBrokenProtobuf400(string mediaType, HttpStatusCode expected)
    {
        var content = new ByteArrayContent([.. "k8s\0"u8, 0x0a, 0x7f]);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);

        var response = await _http.PostAsync("api/v1/namespaces/default/configmaps", content, Ct);

        await ExpectStatusAsync(response, expected);
    }

    [Fact]
    public async Task Create_UnknownField_Strict_IsRefusedNamingEveryOne()
    {
        var response = await _http.PostAsync("apis/apps/v1/namespaces/default/deployments?fieldValidation=Strict", Json("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"strict","colour":"red"},
             "spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},
             "spec":{"containers":[{"name":"c","image":"i","imagePullPolicy":"Always","sizeGB":3}]}}}}
            """), Ct);

        var status = await ExpectStatusAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(
            """Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "metadata.colour", unknown field "spec.template.spec.containers[0].sizeGB" """.TrimEnd(),
            status["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_UnknownField_ByDefault_IsDroppedWithAWarning()
    {
        var response = await _http.PostAsync("api/v1/namespaces/default/configmaps",
            Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"warned"},"data":{"a":"1"},"dataa":{"b":"2"}}"""), Ct);
        var stored = JsonNode.Parse(await _http.GetStringAsync("api/v1/namespaces/default/configmaps/warned", Ct))!;

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("""299 - "unknown field \"dataa\"" """.TrimEnd(), Assert.Single(response.Headers.GetValues("Warning")));
        Assert.Null(stored["dataa"]);
        Assert.Equal("1", stored["data"]!["a"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_FieldOfTheWrongType_IsRefusedNamingIt()
    {
        var response = await _http.PostAsync("apis/apps/v1/namespaces/default/deployments", Json("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"typed"},"spec":{"replicas":"three"}}
            """), Ct);

        var status = await ExpectStatusAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(
            """Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32""",
            status["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"},"data":{"a":"1","a":"2"}}""", "")]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"mode"}}""", "?fieldValidation=Loose")]
    public async Task Create_DuplicateFieldOrUnknownValidationMode_Is400(string body, string query)
    {
        var response = await _http.PostAsync("api/v1/namespaces/default/configmaps" + query, Json(body), Ct);

        await ExpectStatusAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Patch_AddingAnUnknownField_Strict_IsRefused()
    {
        await _http.PostAsync("api/v1/namespaces/default/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"patched"}}"""), Ct);
        var patch = new StringContent("""{"spec":{"x":1}}""", Encoding.UTF8, "application/merge-patch+json");

        var response = await _http.PatchAsync("api/v1/namespaces/default/configmaps/patched?fieldValidation=Strict", patch, Ct);

        var status = await ExpectStatusAsync(response, HttpStatusCode.BadRequest);
        Assert.EndsWith("""strict decoding error: unknown field "spec" """.TrimEnd(), status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_StaleResourceVersion_IsConflict()
    {
        var created = await _http.PostAsync("api/v1/namespaces/default/configmaps",
            Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"stale"},"data":{"a":"1"}}"""), Ct);
        var obj = JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!;
        var version = obj["metadata"]!["resourceVersion"]!.GetValue<string>();
        obj["data"]!["a"] = "2";
        await _http.PutAsync("api/v1/namespaces/default/configmaps/stale", Json(obj.ToJsonString()), Ct);
        obj["metadata"]!["resourceVersion"] = version;

        var response = await _http.PutAsync("api/v1/namespaces/default/configmaps/stale", Json(obj.ToJsonString()), Ct);

        var status = await ExpectStatusAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("Conflict", status["reason"]!.GetValue<string>());
        Assert.Contains("the object has been modified", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api/v1/namespaces/default/widgets")]
    [InlineData("apis/apps/v1/namespaces/default/replicationcontrollers")]
    [InlineData("apis/apps/v1/namespaces/default/deployments/x/rollback")]
    [InlineData("api/v2/namespaces")]
    [InlineData("api/v1/namespaces/default/configmaps/a/b/c")]
    public async Task Get_UnknownResource_Is404(string path)
    {
        var response = await _http.GetAsync(path, Ct);

        await ExpectStatusAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Head_AnswersAsGetWould_WithoutABody_OverHttp2()
    {
        var request = new HttpRequestMessage(HttpMethod.Head, "api/v1/namespaces/default")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        var response = await _http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task Get_UnknownCluster_Is404()
    {
        var response = await _http.GetAsync(new Uri(fixture.Server.KubeAddress, "/clusters/nope/api/v1/namespaces"), Ct);

        await ExpectStatusAsync(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("api/v1/namespaces/default/configmaps?limit=abc")]
    [InlineData("api/v1/namespaces/default/configmaps?continue=garbage&limit=1")]
    [InlineData("api/v1/namespaces/default/configmaps?labelSelector=a%20in%20b")]
    [InlineData("api/v1/namespaces/default/configmaps?fieldSelector=spec.x%3Dy")]
    [InlineData("api/v1/namespaces/default/configmaps?resourceVersion=abc&resourceVersionMatch=Exact")]
    [InlineData("api/v1/namespaces/default/configmaps?resourceVersionMatch=Sometimes")]
    public async Task List_MalformedQuery_Is400(string path)
    {
        var response = await _http.GetAsync(path, Ct);

        await ExpectStatusAsync(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("POST", "api/v1/configmaps", HttpStatusCode.MethodNotAllowed)]
    [InlineData("GET", "api/v1/configmaps/orphan", HttpStatusCode.NotFound)]
    [InlineData("DELETE", "api/v1/configmaps/orphan", HttpStatusCode.NotFound)]
    [InlineData("POST", "api/v1/namespaces/default/configmaps/named", HttpStatusCode.MethodNotAllowed)]
    [InlineData("PUT", "api/v1/namespaces/default/configmaps", HttpStatusCode.MethodNotAllowed)]
    [InlineData("PATCH", "api/v1/namespaces/default/configmaps", HttpStatusCode.MethodNotAllowed)]
    [InlineData("GET", "api/v1/namespaces/default/configmaps?watch=true&resourceVersion=abc", HttpStatusCode.BadRequest)]
    [InlineData("GET", "api/v1/namespaces/default/configmaps?resourceVersion=99999999&resourceVersionMatch=NotOlderThan", HttpStatusCode.GatewayTimeout)]
    [InlineData("GET", "api/v1/namespaces/default/configmaps?resourceVersionMatch=NotOlderThan", HttpStatusCode.BadRequest)]
    [InlineData("GET", "api/v1/namespaces/default/configmaps?watch=true&resourceVersion=99999999", HttpStatusCode.GatewayTimeout)]
    [InlineData("DELETE", "api/v1/namespaces/kube-system", HttpStatusCode.Forbidden)]
    [InlineData("GET", "api/v1/namespaces/default/configmaps?limit=1&continue=abc&resourceVersion=5", HttpStatusCode.BadRequest)]
    public async Task RoutesKubernetesHasNot_GetItsAnswers(string method, string path, HttpStatusCode expected)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT" or "PATCH")
        {
            request.Content = Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"orphan"}}""");
            if (method == "PATCH")
            {
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
            }
        }

        await ExpectStatusAsync(await _http.SendAsync(request, Ct), expected);
    }

    [Fact]
    public async Task PagedList_AtAResourceVersion_ReadsExactlyThere()
    {
        var first = await _http.PostAsync("api/v1/namespaces/default/configmaps",
            Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"then"}}"""), Ct);
        var version = JsonNode.Parse(await first.Content.ReadAsStringAsync(Ct))!["metadata"]!["resourceVersion"]!.GetValue<string>();
        await _http.PostAsync("api/v1/namespaces/default/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"later"}}"""), Ct);

        var page = JsonNode.Parse(await _http.GetStringAsync($"api/v1/namespaces/default/configmaps?limit=500&resourceVersion={version}", Ct))!;

        Assert.Equal(version, page["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.DoesNotContain(page["items"]!.AsArray(), i => i!["metadata"]!["name"]!.GetValue<string>() == "later");
    }

    [Fact]
    public async Task PodWithOddStatus_DoesNotBreakListingPods()
    {
        var created = await _http.PostAsync("api/v1/namespaces/default/pods",
            Json("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"odd"},"spec":{"containers":[{"name":"c","image":"i"}]}}"""), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var patch = new StringContent("""{"status":{"containerStatuses":[{"ready":"yes","restartCount":"many","state":{"terminated":{"exitCode":"0"}}}]}}""",
            Encoding.UTF8, "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, (await _http.PatchAsync("api/v1/namespaces/default/pods/odd/status", patch, Ct)).StatusCode);

        var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/namespaces/default/pods");
        request.Headers.Accept.ParseAdd("application/json;as=Table;v=v1;g=meta.k8s.io");

        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(request, Ct)).StatusCode);
    }

    [Fact]
    public async Task Corpus_OfOddRequests_NeverGetsA500()
    {
        string[] paths =
        [
            "api/v1/namespaces/%00/configmaps", "api/v1/namespaces/default/configmaps/%2F", "api/v1/namespaces/default/configmaps/..",
            "apis", "apis/", "api/v1/namespaces/default/configmaps/x?watch=true&timeoutSeconds=1", "api/v1/namespaces/default/configmaps?watch=1&resourceVersion=0&timeoutSeconds=1",
            "api/v1/namespaces/" + new string('n', 3000), "openapi/v3", "api/v1/namespaces/default/configmaps?limit=-1",
        ];
        string[] bodies =
        [
            "", "null", "\"text\"", "123", """{"apiVersion":"v1","kind":"ConfigMap","metadata":"x"}""",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":5}}""",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"odd","labels":{"a":1}}}""",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"odd"},"data":{"a":{"b":1}}}""",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"odd"},"data":[1]}""",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"odd"},"binaryData":{"a":"%%%"}}""",
            """{"apiVersion":5,"kind":["ConfigMap"],"metadata":{"name":"odd"}}""",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"odd","resourceVersion":7}}""",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"odd","ownerReferences":["x"],"finalizers":[1]}}""",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"odd","name":"twice"}}""",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"odd","creationTimestamp":{}},"immutable":"yes"}""",
        ];
        foreach (var secret in new[]
        {
            """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"odd"},"stringData":{"a":5}}""",
            """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"odd"},"data":{"a":"not base64!"}}""",
            """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"odd"},"type":7}""",
        })
        {
            var response = await _http.PostAsync("api/v1/namespaces/default/secrets", Json(secret), Ct);
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, $"{secret} answered {(int)response.StatusCode}");
        }
        foreach (var path in paths)
        {
            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Delete })
            {
                var response = await _http.SendAsync(new HttpRequestMessage(method, path), Ct);
                Assert.True((int)response.StatusCode < 500, $"{method} {path} answered {(int)response.StatusCode}");
            }
        }
        foreach (var body in bodies)
        {
            foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Patch })
            {
                var path = method == HttpMethod.Post ? "api/v1/namespaces/default/configmaps" : "api/v1/namespaces/default/configmaps/odd";
                var content = Json(body);
                if (method == HttpMethod.Patch)
                {
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
                }
                var response = await _http.SendAsync(new HttpRequestMessage(method, path) { Content = content }, Ct);
                Assert.True((int)response.StatusCode < 500, $"{method} {path} with {body} answered {(int)response.StatusCode}");
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<JsonNode> ExpectStatusAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        var status = JsonNode.Parse(text)!;
        Assert.Equal("Status", status["kind"]!.GetValue<string>());
        Assert.Equal((int)expected, status["code"]!.GetValue<int>());
        return status;
    }
}
