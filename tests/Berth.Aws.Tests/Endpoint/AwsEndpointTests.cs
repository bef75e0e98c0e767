using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Berth.Aws.Accounts;
using Berth.Aws.Auth;
using Berth.Aws.Endpoint;
using Berth.Kube;
using Berth.Kube.Hosting;
using Berth.Registry.Distribution;
using Berth.Store;
using Berth.Store.Sqlite;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;

namespace Berth.Aws.Tests.Endpoint;

/// <summary>The endpoint's own checks, on requests signed here with the signer the botocore tests vouch for.</summary>
public sealed class AwsEndpointTests : IAsyncDisposable
{
    private const string Body = "Action=GetCallerIdentity&Version=2011-06-15";
    private readonly TempDirectory _directory = new();
    private readonly SqliteStore _store;
    private readonly AccessKeys _keys;
    private readonly ServiceProvider _services;
    private readonly AwsEndpoint _endpoint;

    public AwsEndpointTests()
    {
        _store = SqliteStore.Open(new SqliteStoreOptions { Path = _directory.File("berth.db") });
        _keys = new AccessKeys(_store, TimeProvider.System);
        _services = AllServices();
        _endpoint = _services.GetRequiredService<AwsEndpoint>();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _store.DisposeAsync();
        _directory.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A POST of <paramref name="sentBody"/> signed over <paramref name="declaredHash"/> as its payload hash.</summary>
    private static DefaultHttpContext SignedPost(AccessKey key, string sentBody, string declaredHash, string service = "sts",
        string contentType = "application/x-www-form-urlencoded", string? target = null)
    {
        var date = SigV4.FormatDate(DateTimeOffset.UtcNow);
        var headers = new List<KeyValuePair<string, IReadOnlyList<string>>>
        {
            new("Host", ["127.0.0.1:4566"]),
            new("Content-Type", [contentType]),
            new("X-Amz-Date", [date]),
            new("X-Amz-Content-Sha256", [declaredHash]),
        };
        if (target is not null)
        {
            headers.Add(new("X-Amz-Target", [target]));
        }
        var signed = headers.Select(h => h.Key.ToLowerInvariant()).Order(StringComparer.Ordinal).ToList();
        var canonical = SigV4.CanonicalRequest(new SignedRequest { Method = "POST", RawPath = "/", Headers = headers, PayloadHash = declaredHash }, signed);
        var scope = $"{date[..8]}/us-east-1/{service}/aws4_request";
        var signature = SigV4.Signature(SigV4.SigningKey(key.SecretAccessKey, date[..8], "us-east-1", service), SigV4.StringToSign(date, scope, canonical));

        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = "/";
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = "/";
        foreach (var (name, values) in headers)
        {
            context.Request.Headers[name] = values.ToArray();
        }
        context.Request.Headers.Authorization = $"{SigV4.Algorithm} Credential={key.AccessKeyId}/{scope}, SignedHeaders={string.Join(';', signed)}, Signature={signature}";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(sentBody));
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static XElement Answer(HttpContext context) => XElement.Parse(Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()));

    private static string Hash(string body) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));

    [Fact]
    public async Task ABodyMatchingItsDeclaredHashIsServed_AndUnsignedPayloadsAreAccepted()
    {
        var root = await _keys.EnsureRootKeyAsync(Ct);

        foreach (var declared in new[] { Hash(Body), SigV4.UnsignedPayload })
        {
            var context = SignedPost(root, Body, declared);
            await _endpoint.HandleAsync(context);

            Assert.Equal(200, context.Response.StatusCode);
            Assert.Equal(root.AccountId, Answer(context).Descendants().Single(e => e.Name.LocalName == "Account").Value);
        }
    }

    [Fact]
    public async Task ABodyOtherThanTheOneItsSignedHashDeclaresIsRefused()
    {
        var root = await _keys.EnsureRootKeyAsync(Ct);
        var context = SignedPost(root, Body.Replace("GetCallerIdentity", "GetSessionToken", StringComparison.Ordinal), Hash(Body));

        await _endpoint.HandleAsync(context);

        Assert.Equal(403, context.Response.StatusCode);
        Assert.Equal("SignatureDoesNotMatch", Answer(context).Descendants().Single(e => e.Name.LocalName == "Code").Value);
    }

    [Theory]
    [InlineData("{\"repositoryName\": ", "SerializationException")]
    [InlineData("[1, 2]", "SerializationException")]
    [InlineData("{\"repositoryNames\": [5]}", "SerializationException")]
    [InlineData("{\"maxResults\": \"ten\"}", "SerializationException")]
    [InlineData("{\"maxResults\": 0}", "InvalidParameterException")]
    [InlineData("{\"nextToken\": \"%%%\"}", "InvalidParameterException")]
    public async Task MalformedJsonBodiesGetTheJsonProtocolsErrors(string body, string code)
    {
        var root = await _keys.EnsureRootKeyAsync(Ct);
        var endpoint = _endpoint;
        var context = SignedPost(root, body, Hash(body), "ecr", "application/x-amz-json-1.1", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories");

        await endpoint.HandleAsync(context);

        Assert.Equal(400, context.Response.StatusCode);
        Assert.Equal(code, context.Response.Headers["x-amzn-ErrorType"].ToString());
        var error = System.Text.Json.JsonDocument.Parse(((MemoryStream)context.Response.Body).ToArray()).RootElement;
        Assert.Equal(code, error.GetProperty("__type").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task EveryEcrOperationListed_IsServed_AndHasALineInTheCompatibilityTables()
    {
        var root = await _keys.EnsureRootKeyAsync(Ct);
        var endpoint = _endpoint;
        var compatibility = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "compatibility.md"), Ct);

        foreach (var operation in Berth.Aws.Ecr.EcrService.Operations.Append("DescribeRegistry"))
        {
            var context = SignedPost(root, "{}", Hash("{}"), "ecr", "application/x-amz-json-1.1", $"AmazonEC2ContainerRegistry_V20150921.{operation}");
            await endpoint.HandleAsync(context);
            var served = context.Response.Headers["x-amzn-ErrorType"].ToString() != "UnknownOperationException";
            Assert.True(served == (operation != "DescribeRegistry"), $"{operation}: {context.Response.Headers["x-amzn-ErrorType"]}");
            Assert.True(!served || compatibility.Contains($"`{operation}`", StringComparison.Ordinal), $"{operation} has no line in docs/compatibility.md");
        }
    }

    [Fact]
    public async Task EveryIamActionListed_IsServed_AndHasALineInTheCompatibilityTables()
    {
        var root = await _keys.EnsureRootKeyAsync(Ct);
        var endpoint = _endpoint;
        var compatibility = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "compatibility.md"), Ct);

        foreach (var action in Berth.Aws.Iam.IamService.Actions.Append("CreateGroup"))
        {
            var body = $"Action={action}&Version=2010-05-08";
            var context = SignedPost(root, body, Hash(body), "iam");
            await endpoint.HandleAsync(context);
            var code = context.Response.StatusCode == 200 ? "" : Answer(context).Descendants().Single(e => e.Name.LocalName == "Code").Value;
            Assert.True((code != "InvalidAction") == (action != "CreateGroup"), $"{action}: {code}");
            Assert.True(code == "InvalidAction" || compatibility.Contains($"`{action}`", StringComparison.Ordinal), $"{action} has no line in docs/compatibility.md");
        }
    }

    [Theory]
    [InlineData("autoscaling", "2011-01-01", "CreateAutoScalingGroup")]
    [InlineData("ec2", "2016-11-15", "RunInstances")]
    public async Task EveryAutoScalingAndEc2ActionListed_IsServed_AndHasALineInTheCompatibilityTables(string service, string version, string unserved)
    {
        var root = await _keys.EnsureRootKeyAsync(Ct);
        var compatibility = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "compatibility.md"), Ct);
        var actions = service == "ec2" ? Berth.Aws.Ec2.Ec2Service.Actions : Berth.Aws.AutoScaling.AutoScalingService.Actions;

        foreach (var action in actions.Append(unserved))
        {
            var body = $"Action={action}&Version={version}";
            var context = SignedPost(root, body, Hash(body), service);
            await _endpoint.HandleAsync(context);
            var code = context.Response.StatusCode == 200 ? "" : Answer(context).Descendants().First(e => e.Name.LocalName == "Code").Value;
            Assert.True((code != "InvalidAction") == (action != unserved), $"{action}: {code}");
            Assert.True(code == "InvalidAction" || compatibility.Contains($"`{action}`", StringComparison.Ordinal), $"{action} has no line in docs/compatibility.md");
        }
    }

    [Fact]
    public async Task EveryEksRoute_LeadsToItsOperation_WhichHasALineInTheCompatibilityTables()
    {
        var compatibility = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "compatibility.md"), Ct);
        foreach (var route in Berth.Aws.Eks.EksService.Routes)
        {
            var context = new DefaultHttpContext();
            context.Request.Method = route.Method;
            context.Request.Path = System.Text.RegularExpressions.Regex.Replace(route.Template, "{[^}]+}", "x");
            Assert.Equal(route.Operation, RestJsonProtocol.Match(Berth.Aws.Eks.EksService.Routes, context.Request).Operation);
            Assert.True(compatibility.Contains($"`{route.Operation}`", StringComparison.Ordinal), $"{route.Operation} has no line in docs/compatibility.md");
        }
    }

    /// <summary>
    /// The endpoint with every service, as the server composes it, over the test's store: the Kubernetes API's services
    /// too, which EKS drives, on a host that does not listen.
    /// </summary>
    private ServiceProvider AllServices() => new ServiceCollection()
        .AddLogging().AddSingleton(TimeProvider.System).AddSingleton<IStore>(_store)
        .AddSingleton<IServer, NotListening>().AddSingleton<IHostApplicationLifetime, ApplicationLifetime>()
        .AddKubernetesApi(new KubeApiOptions { DataDirectory = _directory.Path })
        .AddAwsEndpoint(_directory.Path).AddRegistry(_directory.File("registry"))
        .BuildServiceProvider();

    /// <summary>A server that has not started listening: it has no addresses.</summary>
    private sealed class NotListening : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }

    /// <summary>The repository's root: the folder above the test's output that holds the solution.</summary>
    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Berth.slnx")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("the tests run outside the repository");
    }

    [Fact]
    public async Task TheRootKeyIsMadeOnceAndFoundByItsId()
    {
        var root = await _keys.EnsureRootKeyAsync(Ct);

        Assert.Equal(root, await _keys.EnsureRootKeyAsync(Ct));
        Assert.Equal(root, await _keys.FindAsync(root.AccessKeyId, Ct));
        Assert.Null(await _keys.FindAsync("AKIA/../../k8s", Ct));
    }
}
