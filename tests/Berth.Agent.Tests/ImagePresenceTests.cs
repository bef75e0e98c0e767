using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Berth.Agent.Tests;

/// <summary>
/// Whether an image is present is asked of the engine once per reference: an inspection waits behind the engine's
/// creates, and a burst of pods of one image would ask once per pod. The image list, read every few seconds, says when
/// the image went; a pull asks again.
/// </summary>
public sealed class ImagePresenceTests : IAsyncDisposable
{
    private const string Image = "localhost/shop/web:1";
    private const string Id = "sha256:3e0bc648565396e697730b9b012c0ad19a3a226d65a2471f7980a3fc8f738ffe";

    private readonly ScriptedEngine _engine = new();
    private bool _present = true;

    public ImagePresenceTests()
    {
        _engine.App.MapGet($"/v1.41/images/{Image}/json", () => _present ? Results.Json(new { Id }, ScriptedEngine.AsIs) : ScriptedEngine.Error(404, $"{Image}: image not known"));
        _engine.App.MapGet("/v1.41/images/json", () => Results.Json(_present
            ? new[] { new { Id, RepoTags = new[] { Image }, Size = 1024 } }
            : [], ScriptedEngine.AsIs));
    }

    private int Inspections => _engine.Calls.Count(c => c == $"GET /v1.41/images/{Image}/json");

    [Fact]
    public async Task APresentImage_IsInspectedOnce_UntilTheImageListNoLongerHasIt()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var runtime = await _engine.ConnectAsync("n");
        Assert.Equal(Id, await runtime.ImageIdAsync(Image, cancel));
        Assert.Equal(Id, await runtime.ImageIdAsync(Image, cancel));
        Assert.Equal(1, Inspections);

        Assert.Single(await runtime.ListImagesAsync(cancel)); // still there: still known
        Assert.Equal(Id, await runtime.ImageIdAsync(Image, cancel));
        Assert.Equal(1, Inspections);

        _present = false; // removed with podman rmi
        Assert.Empty(await runtime.ListImagesAsync(cancel));
        Assert.Null(await runtime.ImageIdAsync(Image, cancel));
        Assert.Equal(2, Inspections);
        Assert.Null(await runtime.ImageIdAsync(Image, cancel)); // an absent image is asked for each time: a pull may bring it
        Assert.Equal(3, Inspections);
    }

    public ValueTask DisposeAsync() => _engine.DisposeAsync();
}
