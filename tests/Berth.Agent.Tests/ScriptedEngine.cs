using System.Collections.Concurrent;
using System.Text.Json;
using Berth.Agent.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Berth.Agent.Tests;

/// <summary>
/// An engine answering on a Unix socket as Podman 4's API does, for what a real engine cannot be made to do on cue:
/// each test maps the routes it needs; every request is recorded. Started by the first <see cref="ConnectAsync"/>.
/// </summary>
internal sealed class ScriptedEngine : IAsyncDisposable
{
    /// <summary>The engine's field names as they are (<c>Id</c>, <c>State</c>), not ASP.NET's camel case.</summary>
    public static readonly JsonSerializerOptions AsIs = new();

    private readonly string _root = Directory.CreateTempSubdirectory("berth-engine-").FullName;
    private readonly ConcurrentQueue<string> _calls = new();
    private bool _started;

    public ScriptedEngine()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.ListenUnixSocket(Socket));
        App = builder.Build();
        App.Use(async (context, next) =>
        {
            _calls.Enqueue($"{context.Request.Method} {context.Request.Path}");
            await next(context);
        });
        App.MapGet("/v1.41/version", () => Results.Json(new { Version = "4.3.1", Components = new[] { new { Name = "Podman Engine", Version = "4.3.1" } } }, AsIs));
    }

    /// <summary>Where the test maps its routes, before the first connection.</summary>
    public WebApplication App { get; }

    /// <summary>The requests so far, as <c>METHOD /path</c>.</summary>
    public IReadOnlyList<string> Calls => [.. _calls];

    private string Socket => Path.Combine(_root, "engine.sock");

    /// <summary>A runtime of node <paramref name="node"/> connected to this engine.</summary>
    public async Task<DockerRuntime> ConnectAsync(string node)
    {
        if (!_started)
        {
            await App.StartAsync(TestContext.Current.CancellationToken);
            _started = true;
        }
        var runtime = new DockerRuntime(new AgentOptions { NodeName = node, KubeconfigPath = "", RootDirectory = _root, ContainerRuntimeEndpoint = new Uri("unix://" + Socket) });
        await runtime.ConnectAsync(TestContext.Current.CancellationToken);
        return runtime;
    }

    /// <summary>An error as the engine writes it.</summary>
    public static IResult Error(int status, string message) => Results.Json(new { cause = message, message, response = status }, AsIs, statusCode: status);

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
