using Berth.Agent.Runtime;
using Microsoft.AspNetCore.Builder;
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

    private readonly ScriptedEngine _engine = new();
    private bool _halfRemoved = true;

    public HalfRemovedContainerTests()
    {
        _engine.App.MapGet("/v1.41/containers/json", () => _halfRemoved
            ? ScriptedEngine.Error(500, $"getting container from store \"{Broken}\": container not known")
            : Results.Json(Array.Empty<object>()));
        _engine.App.MapGet("/v4.0.0/libpod/containers/json", (string filters) => Results.Json(_halfRemoved && filters.Contains("io.berth.node=n", StringComparison.Ordinal)
            ? new[] { new { Id = Broken, State = "removing", Labels = new Dictionary<string, string> { ["io.berth.node"] = "n" } } }
            : [], ScriptedEngine.AsIs));
        _engine.App.MapDelete("/v1.41/containers/{id}", (string id, HttpRequest request) =>
        {
            _halfRemoved &= !(id == Broken && request.Query["force"] is ["1"] or ["true"] or ["True"]);
            return Results.NoContent();
        });
    }

    [Fact]
    public async Task AListFailingOnAHalfRemovedContainer_FinishesItsRemoval_AndListsAgain()
    {
        using var runtime = await _engine.ConnectAsync("n");
        Assert.Empty(await runtime.ListContainersAsync(null, TestContext.Current.CancellationToken));
        Assert.False(_halfRemoved);
        Assert.Equal(["GET /v1.41/containers/json", "GET /v4.0.0/libpod/containers/json", $"DELETE /v1.41/containers/{Broken}", "GET /v1.41/containers/json"],
            _engine.Calls.Where(c => c.Contains("/containers/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AListFailingWithNoHalfRemovedContainer_IsTheEnginesError()
    {
        using var runtime = await _engine.ConnectAsync("other"); // the half-removed container is node n's
        var error = await Assert.ThrowsAsync<RuntimeException>(() => runtime.ListContainersAsync(null, TestContext.Current.CancellationToken));
        Assert.Contains("container not known", error.Message, StringComparison.Ordinal);
        Assert.True(_halfRemoved);
    }

    public ValueTask DisposeAsync() => _engine.DisposeAsync();
}
