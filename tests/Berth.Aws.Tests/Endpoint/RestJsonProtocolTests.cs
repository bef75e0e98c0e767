using System.Text;
using System.Text.Json;
using Berth.Aws.Accounts;
using Berth.Aws.Endpoint;
using Microsoft.AspNetCore.Http;

namespace Berth.Aws.Tests.Endpoint;

public sealed class RestJsonProtocolTests
{
    private static readonly RestJsonProtocol.Route[] s_routes =
    [
        new("POST", "/clusters", "CreateCluster"),
        new("GET", "/clusters", "ListClusters"),
        new("GET", "/clusters/{name}", "DescribeCluster"),
        new("GET", "/clusters/{name}/node-groups/{nodegroupName}", "DescribeNodegroup"),
    ];

    private static AwsRequest Request(string method, string path, string query = "", string body = "")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = PathString.FromUriComponent(path);
        context.Request.QueryString = new QueryString(query);
        context.Response.Body = new MemoryStream();
        var caller = new AccessKey { AccessKeyId = "AKIATEST", SecretAccessKey = "s", AccountId = "000000000000", CreateDate = DateTimeOffset.UnixEpoch };
        return new AwsRequest(context, caller, "us-east-1", Encoding.UTF8.GetBytes(body), "id");
    }

    [Fact]
    public void Match_FindsTheOperationByMethodAndPath_AndDecodesItsLabels()
    {
        var (operation, labels) = RestJsonProtocol.Match(s_routes, Request("GET", "/clusters/my%20cluster/node-groups/ng-1").Http.Request);
        Assert.Equal("DescribeNodegroup", operation);
        Assert.Equal("my cluster", labels["name"]);
        Assert.Equal("ng-1", labels["nodegroupName"]);
        Assert.Equal("ListClusters", RestJsonProtocol.Match(s_routes, Request("GET", "/clusters").Http.Request).Operation);
        Assert.Equal("CreateCluster", RestJsonProtocol.Match(s_routes, Request("POST", "/clusters/").Http.Request).Operation);
    }

    [Theory]
    [InlineData("DELETE", "/clusters")]
    [InlineData("GET", "/clusters/a/b")]
    [InlineData("GET", "/nothing")]
    public void Match_OfNoRoute_IsUnknownOperation404(string method, string path)
    {
        var error = Assert.Throws<AwsException>(() => RestJsonProtocol.Match(s_routes, Request(method, path).Http.Request));
        Assert.Equal(("UnknownOperationException", 404), (error.Code, error.Status));
    }

    [Fact]
    public void Input_MergesBodyQueryAndLabels()
    {
        var request = Request("GET", "/clusters/web", "?maxResults=5&include=a&include=b", """{"version":"1.32"}""");
        var input = RestJsonProtocol.Input(request, new Dictionary<string, string> { ["name"] = "web" });
        Assert.Equal("1.32", input["version"]!.GetValue<string>());
        Assert.Equal("5", input["maxResults"]!.GetValue<string>());
        Assert.Equal(["a", "b"], input["include"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("web", input["name"]!.GetValue<string>());
        Assert.Equal("SerializationException", Assert.Throws<AwsException>(() => RestJsonProtocol.Input(Request("POST", "/clusters", body: "[1]"), new Dictionary<string, string>())).Code);
    }

    [Fact]
    public async Task Errors_CarryTheirStatusTypeHeaderAndMessage()
    {
        var response = Request("GET", "/clusters/x").Http.Response;
        await RestJsonProtocol.WriteErrorAsync(response, new AwsException("ResourceNotFoundException", "No cluster found for name: x.", 404), TestContext.Current.CancellationToken);
        Assert.Equal(404, response.StatusCode);
        Assert.Equal("ResourceNotFoundException", response.Headers["x-amzn-ErrorType"].ToString());
        Assert.Equal("No cluster found for name: x.", JsonDocument.Parse(((MemoryStream)response.Body).ToArray()).RootElement.GetProperty("message").GetString());
    }
}
