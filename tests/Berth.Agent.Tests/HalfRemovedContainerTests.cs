using System.Collections.Concurrent;
using System.Text.Json;
using Berth.Agent.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Berth.Agent.Tests;

/// <summary>
/// A container whose removal Podman's service did not finish (the service stopped while it removed it) stays
/// <c>removing</c> with its storage gone, and every Docker-compatible list that includes it answers 500. The engine here
/// answers as Podman 4 does then: the runtime finishes the removal and lists again; a 500 with no such container is the
/// runtime's error.
/// </summary>
public sealed class HalfRemovedContainerTests : IAsyncDisposable
{
    private const string Broken = "e03c76f785d5f4f5cc81552a46f46f5d5777d79836bc4894024a2d422549aa28";

    /// <summary>The engine's field names as they are (<c>Id</c>, <c>State</c>), not ASP.NET's camel case.</summary>
    private static readonly JsonSerializerOptions s_asIs = new();

    private readonly string _root = Directory.CreateTempSubdirectory("berth-engine-").FullName;
    private readonly ConcurrentQueue<string> _calls = new();
    private readonly WebApplication _engine;
    private bool _halfRemoved = true;

    public HalfRemovedContainerTests()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.ListenUnixSocket(Socket));
        _engine = builder.Build();
        _engine.Use(async (context, next) =>
        {
            _calls.Enqueue($"{context.Request.Method} {context.Request.Path}");
            await next(context);
        });
        _engine.MapGet("/v1.41/version", () => Results.Json(new { Version = "4.3.1", Components = new[] { new { Name = "Podman Engine", Version = "4.3.1" } } }, s_asIs));
        _engine.MapGet("/v1.41/containers/json", () => _halfRemoved
            ? Results.Json(new { cause = "container not known", message = $"getting container from store \"{Broken}\": container not known", response = 500 }, s_asIs, statusCode: 500)
            : Results.Json(Array.Empty<object>()));
        _engine.MapGet("/v4.0.0/libpod/containers/json", (string filters) => Results.Json(_halfRemoved && filters.Contains("io.berth.node=n", StringComparison.Ordinal)
            ? new[] { new { Id = Broken, State = "removing", Labels = new Dictionary<string, string> { ["io.berth.node"] = "n" } } }
            : [], s_asIs));
        _engine.MapDelete("/v1.41/containers/{id}", (string id, HttpRequest request) =>
        {
            _halfRemoved &= !(id == Broken && request.Query["force"] is ["1"] or ["true"] or ["True"]);
            return Results.NoContent();
        });
    }

    private string Socket => Path.Combine(_root, "engine.sock");

    private async Task<DockerRuntime> ConnectAsync(string node)
    {
        await _engine.StartAsync(TestContext.Current.CancellationToken);
        var runtime = new DockerRuntime(new AgentOptions { NodeName = node, KubeconfigPath = "", RootDirectory = _root, ContainerRuntimeEndpoint = new Uri("unix://" + Socket) });
        await runtime.ConnectAsync(TestContext.Current.CancellationToken);
        return runtime;
    }

    [Fact]
    public async Task AListFailingOnAHalfRemovedContainer_FinishesItsRemoval_AndListsAgain()
    {
        using var runtime = await ConnectAsync("n");
        Assert.Empty(await runtime.ListContainersAsync(null, TestContext.Current.CancellationToken));
        Assert.False(_halfRemoved);
        Assert.Equal(["GET /v1.41/containers/json", "GET /v4.0.0/libpod/containers/json", $"DELETE /v1.41/containers/{Broken}", "GET /v1.41/containers/json"],
            _calls.Where(c => c.Contains("/containers/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AListFailingWithNoHalfRemovedContainer_IsTheEnginesError()
    {
        using var runtime = await ConnectAsync("other"); // the half-removed container is node n's
        var error = await Assert.ThrowsAsync<RuntimeException>(() => runtime.ListContainersAsync(null, TestContext.Current.CancellationToken));
        Assert.Contains("container not known", error.Message, StringComparison.Ordinal);
        Assert.True(_halfRemoved);
    }

    public async ValueTask DisposeAsync()
    {
        await _engine.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
