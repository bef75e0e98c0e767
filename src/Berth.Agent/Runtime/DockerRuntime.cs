using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Agent.Runtime;

/// <summary>
/// Containers through the Docker Engine API, which Podman (<c>podman system service</c>) and Docker both serve. A
/// sandbox is the pod's namespaces, pinned by the agent on Podman (<see cref="PinnedSandboxes"/>) and held by an infra
/// container on Docker, which joins no namespace by path; the pod's containers join them. Everything is labelled with
/// the node's name, so agents sharing one engine see only their own.
/// </summary>
public sealed partial class DockerRuntime(AgentOptions options) : IContainerRuntime, IDisposable
{
    /// <summary>The API version asked for: the newest Podman 4 serves, and one every Docker since 20.10 serves.</summary>
    private static readonly System.Version s_apiVersion = new(1, 41);

    private readonly DockerClient _client = new DockerClientBuilder().WithEndpoint(options.ContainerRuntimeEndpoint).WithApiVersion(s_apiVersion).Build();

    /// <summary>What inspecting a container said, by id and state: an exited container never changes, a running one only by exiting.</summary>
    private readonly ConcurrentDictionary<(string Id, string State), ContainerInspectResponse> _inspected = new();

    /// <summary>
    /// The images known to be present, by the reference they were asked for: an inspection waits behind the engine's
    /// container creates (they share its storage lock), so a burst of pods of one image asks once. An entry goes when
    /// the image list (read every few seconds by the runtime's health check) no longer has its image, when a pull may
    /// have moved its tag, and when a create finds the image missing.
    /// </summary>
    private readonly ConcurrentDictionary<string, string> _presentImages = new(StringComparer.Ordinal);

    private readonly LibpodApi _libpod = new(options.ContainerRuntimeEndpoint);

    /// <summary>Whether the engine is Podman, which pulls from loopback registries through <see cref="LibpodApi"/>.</summary>
    private bool _podman;

    /// <summary>The sandboxes the agent pins itself, on Podman; null on Docker, whose sandboxes are infra containers.</summary>
    private PinnedSandboxes? _pinned;

    public string Version { get; private set; } = "docker://unknown";

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var version = await Call(() => _client.System.GetVersionAsync(cancellationToken));
        _podman = version.Components?.Any(c => c.Name.StartsWith("Podman", StringComparison.Ordinal)) == true;
        Version = (_podman ? "podman://" : "docker://") + version.Version;
        if (_podman)
        {
            _ = Network.CniBridge.PluginDirectory();
            _pinned = new PinnedSandboxes(options);
        }
        else if (await ImageIdAsync(PauseImage.Reference, cancellationToken) is null)
        {
            using var context = PauseImage.BuildContext();
            var progress = new PullProgress();
            await Call(() => _client.Images.BuildImageFromDockerfileAsync(new ImageBuildParameters { Tags = [PauseImage.Reference], Remove = true }, context, [],
                new Dictionary<string, string>(), progress, cancellationToken));
            if (progress.Error is { } error)
            {
                throw new RuntimeException($"the runtime could not build the sandbox image {PauseImage.Reference}: {error}");
            }
            _ = await ImageIdAsync(PauseImage.Reference, cancellationToken)
                ?? throw new RuntimeException($"the runtime did not build the sandbox image {PauseImage.Reference}");
        }
    }

    public async Task<IReadOnlyList<ImageSummary>> ListImagesAsync(CancellationToken cancellationToken)
    {
        var images = await Call(() => _client.Images.ListImagesAsync(new ImagesListParameters(), cancellationToken));
        var ids = images.Select(i => i.ID).ToHashSet(StringComparer.Ordinal);
        foreach (var (reference, id) in _presentImages.Where(p => !ids.Contains(p.Value)))
        {
            _presentImages.TryRemove(new KeyValuePair<string, string>(reference, id)); // removed from the engine since
        }
        return [.. images.Select(i => new ImageSummary(
            [.. (i.RepoTags ?? []).Concat(i.RepoDigests ?? []).Where(n => !n.Contains("<none>", StringComparison.Ordinal))], i.Size))
            .Where(i => i.Names.Count > 0)];
    }

    public async Task<string?> ImageIdAsync(string image, CancellationToken cancellationToken)
    {
        if (_presentImages.TryGetValue(image, out var known))
        {
            return known;
        }
        try
        {
            var id = (await _client.Images.InspectImageAsync(image, cancellationToken)).ID;
            _presentImages[image] = id;
            return id;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new RuntimeException($"the container runtime at {options.ContainerRuntimeEndpoint} is unreachable: {e.Message}", e);
        }
    }

    public async Task<string> PullImageAsync(string image, IReadOnlyList<RegistryCredential> credentials, CancellationToken cancellationToken)
    {
        var registry = ImageReferences.Registry(image);
        var auths = credentials.Where(c => ImageReferences.SameRegistry(c.Registry, registry))
            .Select(c => new AuthConfig { Username = c.Username, Password = c.Password, ServerAddress = c.Registry })
            .DefaultIfEmpty(new AuthConfig());
        string? failure = null;
        foreach (var auth in auths)
        {
            var progress = new PullProgress();
            try
            {
                // an image named without tag or digest is its "latest": the engine would pull every tag of it
                var reference = ImageReferences.Tag(image) is null ? image + ":latest" : image;
                if (_podman && ImageReferences.IsLoopback(registry))
                {
                    failure = await _libpod.PullAsync(reference, auth, cancellationToken);
                }
                else
                {
                    await _client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = reference }, auth, progress, cancellationToken);
                    failure = progress.Error;
                }
            }
            catch (DockerApiException e)
            {
                failure = ApiMessage(e);
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                throw new RuntimeException($"the container runtime at {options.ContainerRuntimeEndpoint} is unreachable: {e.Message}", e);
            }
            _presentImages.TryRemove(image, out _); // the pull may have moved the tag to another image
            if (failure is null && await ImageIdAsync(image, cancellationToken) is { } id)
            {
                return id;
            }
        }
        throw new ImagePullException($"failed to pull and unpack image \"{image}\": {failure ?? "the image is not there after the pull"}");
    }

    public async Task<string> CreateContainerAsync(string sandboxId, ContainerConfig config, CancellationToken cancellationToken)
    {
        const long period = 100_000;
        var join = JoinOf(sandboxId);
        var parameters = new CreateContainerParameters
        {
            Name = RuntimeLabels.ContainerNameOf(config),
            Image = config.Image,
            Entrypoint = config.Entrypoint is { } entrypoint ? [.. entrypoint] : null,
            Cmd = config.Args is { } args ? [.. args] : null,
            Env = [.. config.Environment.Select(e => e.Key + "=" + e.Value)],
            WorkingDir = config.WorkingDir ?? "",
            User = config.RunAsUser is { } uid ? uid.ToString(CultureInfo.InvariantCulture) + (config.RunAsGroup is { } gid ? ":" + gid.ToString(CultureInfo.InvariantCulture) : "") : "",
            Tty = config.Tty,
            OpenStdin = config.Stdin,
            Labels = RuntimeLabels.ForContainer(options.NodeName, sandboxId, config),
            HostConfig = new HostConfig
            {
                NetworkMode = join.NetworkMode,
                IpcMode = join.IpcMode,
                UTSMode = join.UtsMode, // the pod's hostname, which the sandbox holds
                Binds = [.. join.Binds, .. config.Mounts.Select(m => $"{m.HostPath}:{m.ContainerPath}:{(m.ReadOnly ? "ro" : "rw")}")],
                CPUShares = config.Resources.CpuShares,
                // zero is the engine's "not set"
                CPUPeriod = config.Resources.CpuQuotaMillicores is null ? 0 : period,
                CPUQuota = config.Resources.CpuQuotaMillicores is { } millis ? Math.Max(1000, millis * period / 1000) : 0,
                Memory = config.Resources.MemoryLimitBytes ?? 0,
                RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.No },
            },
        };
        try
        {
            return (await Call(() => _client.Containers.CreateContainerAsync(parameters, cancellationToken))).ID;
        }
        catch (RuntimeException e) when (e.InnerException is DockerApiException { StatusCode: HttpStatusCode.NotFound })
        {
            _presentImages.TryRemove(config.Image, out _); // removed since it was found: the next sync pulls it as its policy says
            throw;
        }
    }

    public Task StartContainerAsync(string containerId, CancellationToken cancellationToken) =>
        Call(() => _client.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), cancellationToken));

    public async Task StopContainerAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        try
        {
            await Call(() => _client.Containers.StopContainerAsync(containerId,
                new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Max(0, Math.Ceiling(gracePeriod.TotalSeconds)) }, cancellationToken));
        }
        catch (RuntimeException e) when (e.InnerException is DockerApiException { StatusCode: HttpStatusCode.NotFound })
        {
            // already gone
        }
    }

    public Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken) => RemoveAsync(containerId, cancellationToken);

    public async Task<IReadOnlyList<ContainerStatus>> ListContainersAsync(string? podUid, CancellationToken cancellationToken)
    {
        var listed = await ListAsync(RuntimeLabels.ContainerType, podUid, cancellationToken);
        var statuses = new List<ContainerStatus>(listed.Count);
        foreach (var c in listed)
        {
            if (await InspectAsync(c.ID, c.State, cancellationToken) is not { } inspected)
            {
                continue; // removed between the list and the inspection
            }
            var labels = c.Labels ?? new Dictionary<string, string>();
            statuses.Add(new ContainerStatus(c.ID, labels.TryGetValue(RuntimeLabels.SandboxId, out var sandbox) ? sandbox : "", labels[RuntimeLabels.PodUid], labels.TryGetValue(RuntimeLabels.ContainerName, out var name) ? name : "",
                RuntimeLabels.AttemptOf(labels), StateOf(inspected.State), inspected.Config?.Image ?? c.Image, inspected.Image ?? c.ImageID,
                new DateTimeOffset(DateTime.SpecifyKind(inspected.Created, DateTimeKind.Utc)), Time(inspected.State?.StartedAt),
                Time(inspected.State?.FinishedAt), (int)(inspected.State?.ExitCode ?? 0), inspected.State?.OOMKilled == true,
                string.IsNullOrEmpty(inspected.State?.Error) ? null : inspected.State.Error));
        }
        // forget what was inspected of containers gone from the list
        var live = listed.Select(c => c.ID).ToHashSet(StringComparer.Ordinal);
        foreach (var key in _inspected.Keys.Where(k => !live.Contains(k.Id) && (podUid is null)))
        {
            _inspected.TryRemove(key, out _);
        }
        return statuses;
    }

    public async Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var exec = await Call(() => _client.Exec.CreateContainerExecAsync(containerId,
            new ContainerExecCreateParameters { Cmd = [.. command], AttachStdout = true, AttachStderr = true }, deadline.Token));
        string output;
        using (var stream = await Call(() => _client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), deadline.Token)))
        {
            var (stdout, stderr) = await stream.ReadOutputToEndAsync(deadline.Token);
            output = stdout + stderr;
        }
        var inspected = await Call(() => _client.Exec.InspectContainerExecAsync(exec.ID, deadline.Token));
        return new ExecResult((int)(inspected.ExitCode ?? -1), output);
    }

    public void Dispose()
    {
        _client.Dispose();
        _libpod.Dispose();
    }

    private async Task<IList<ContainerListResponse>> ListAsync(string type, string? podUid, CancellationToken cancellationToken)
    {
        var labels = new Dictionary<string, bool>(StringComparer.Ordinal)
        {
            [$"{RuntimeLabels.Node}={options.NodeName}"] = true,
            [$"{RuntimeLabels.Type}={type}"] = true,
        };
        if (podUid is not null)
        {
            labels[$"{RuntimeLabels.PodUid}={podUid}"] = true;
        }
        var parameters = new ContainersListParameters { All = true, Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = labels } };
        try
        {
            return await Call(() => _client.Containers.ListContainersAsync(parameters, cancellationToken));
        }
        catch (RuntimeException e) when (_podman && e.InnerException is DockerApiException { StatusCode: HttpStatusCode.InternalServerError })
        {
            // a container whose removal was cut short fails every list that includes it: finish its removal, then list again
            var halfRemoved = await _libpod.HalfRemovedContainersAsync(labels.Keys, cancellationToken);
            if (halfRemoved.Count == 0)
            {
                throw;
            }
            foreach (var id in halfRemoved)
            {
                await RemoveAsync(id, cancellationToken);
            }
            return await Call(() => _client.Containers.ListContainersAsync(parameters, cancellationToken));
        }
    }

    private async Task<ContainerInspectResponse?> InspectAsync(string id, string state, CancellationToken cancellationToken)
    {
        if (_inspected.TryGetValue((id, state), out var known))
        {
            return known;
        }
        try
        {
            var inspected = await _client.Containers.InspectContainerAsync(id, cancellationToken);
            if (inspected.State?.Status == state)
            {
                _inspected[(id, state)] = inspected;
            }
            return inspected;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await Call(() => _client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, cancellationToken));
        }
        catch (RuntimeException e) when (e.InnerException is DockerApiException { StatusCode: HttpStatusCode.NotFound })
        {
            // already gone
        }
    }

    private static Runtime.ContainerState StateOf(State? state) => state?.Status switch
    {
        "running" or "paused" or "restarting" => Runtime.ContainerState.Running,
        "created" or "configured" or "initialized" => state.ExitCode != 0 || !string.IsNullOrEmpty(state.Error) ? Runtime.ContainerState.Exited : Runtime.ContainerState.Created,
        _ => Runtime.ContainerState.Exited,
    };

    /// <summary>The engine's times, with its zero time ("0001-01-01T00:00:00Z") as none.</summary>
    private static DateTimeOffset? Time(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) && time.Year > 1 ? time : null;

    /// <summary>The engine's answer to a failed call, as the runtime's error; the engine unreachable is one too.</summary>
    private async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (DockerApiException e)
        {
            throw new RuntimeException(ApiMessage(e), e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new RuntimeException($"the container runtime at {options.ContainerRuntimeEndpoint} is unreachable: {e.Message}", e);
        }
    }

    private async Task Call(Func<Task> call) => await Call(async () =>
    {
        await call();
        return true;
    });

    /// <summary>The <c>message</c> of the engine's JSON error body, or the body itself.</summary>
    private static string ApiMessage(DockerApiException e)
    {
        try
        {
            using var body = System.Text.Json.JsonDocument.Parse(e.ResponseBody ?? "");
            return body.RootElement.TryGetProperty("message", out var message) && message.GetString() is { } text ? text : e.ResponseBody ?? "";
        }
        catch (System.Text.Json.JsonException)
        {
            return string.IsNullOrWhiteSpace(e.ResponseBody) ? e.StatusCode.ToString() : e.ResponseBody.Trim();
        }
    }

    /// <summary>A pull's or build's progress messages; an error among them is its failure.</summary>
    private sealed class PullProgress : IProgress<JSONMessage>
    {
        public string? Error { get; private set; }

        public void Report(JSONMessage value)
        {
            if (value.Error is { Message.Length: > 0 } error)
            {
                Error = error.Message;
            }
        }
    }
}
