using System.Text;
using Berth.Agent.Client;
using Berth.Agent.Runtime;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Berth.Agent.Pods;

/// <summary>
/// A pod's volumes on the host, under the agent's directory as the kubelet keeps them
/// (<c>pods/&lt;uid&gt;/volumes/&lt;plugin&gt;/&lt;name&gt;</c>): emptyDir, hostPath, configMap, secret, downwardAPI,
/// projected (with service-account tokens) and persistentVolumeClaim bound to a hostPath or local volume. Files of
/// data volumes are written afresh before containers start, and the containers mount them read-only.
/// </summary>
internal sealed partial class PodVolumes(ApiClient client, AgentOptions options, ILogger<PodVolumes> logger)
{
    private const int DefaultMode = 420; // 0644

    public string PodDirectory(string uid) => Path.Combine(options.RootDirectory, "pods", uid);

    /// <summary>Sets up every volume of the pod; returns each one's host path and whether containers must mount it read-only.</summary>
    public async Task<IReadOnlyDictionary<string, (string Path, bool ReadOnly)>> SetUpAsync(V1Pod pod, PodObjects objects, string hostIp,
        IReadOnlyDictionary<string, ResourceQuantity> allocatable, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, (string, bool)>(StringComparer.Ordinal);
        foreach (var volume in pod.Spec.Volumes ?? [])
        {
            try
            {
                result[volume.Name] = await SetUpAsync(pod, volume, objects, hostIp, allocatable, cancellationToken);
            }
            catch (ContainerConfigException e)
            {
                throw new VolumeSetupException($"MountVolume.SetUp failed for volume \"{volume.Name}\" : {e.Message}");
            }
        }
        return result;
    }

    /// <summary>The container's mounts: its volumeMounts on the pod's volumes, with subPath.</summary>
    public static List<Mount> MountsFor(V1Container container, IReadOnlyDictionary<string, (string Path, bool ReadOnly)> volumes)
    {
        var mounts = new List<Mount>();
        foreach (var mount in container.VolumeMounts ?? [])
        {
            if (!volumes.TryGetValue(mount.Name, out var volume))
            {
                throw new ContainerConfigException($"cannot find volume \"{mount.Name}\" to mount into container \"{container.Name}\"");
            }
            var path = volume.Path;
            if (!string.IsNullOrEmpty(mount.SubPath))
            {
                path = InsideVolume(volume.Path, mount.SubPath)
                    ?? throw new ContainerConfigException($"subPath \"{mount.SubPath}\" leaves volume \"{mount.Name}\"");
                if (!File.Exists(path))
                {
                    Directory.CreateDirectory(path);
                }
            }
            mounts.Add(new Mount(path, mount.MountPath, volume.ReadOnly || mount.ReadOnlyProperty == true));
        }
        return mounts;
    }

    /// <summary>
    /// The path of <paramref name="subPath"/> in a volume, or null when it would lead out of it: through <c>..</c>, or
    /// through a symbolic link (which a container may have written into the volume to reach the host).
    /// </summary>
    private static string? InsideVolume(string root, string subPath)
    {
        var full = Path.GetFullPath(Path.Combine(root, subPath));
        var prefix = Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar;
        if (!full.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var current = Path.TrimEndingDirectorySeparator(root);
        foreach (var part in full[prefix.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            if (new FileInfo(current).LinkTarget is not null)
            {
                return null;
            }
        }
        return full;
    }

    /// <summary>
    /// Removes what the agent made for the pod; hostPath and persistent volumes stay. What cannot be removed (files a
    /// container's user owns) is reported and left, so that a pod's deletion never waits on its leftovers.
    /// </summary>
    public void TearDown(string uid)
    {
        var directory = PodDirectory(uid);
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogTearDownFailed(logger, e, directory);
        }
    }

    [LoggerMessage(EventId = 5021, Level = LogLevel.Warning, Message = "Could not remove the pod's volumes under {Directory}")]
    private static partial void LogTearDownFailed(ILogger logger, Exception exception, string directory);

    private async Task<(string, bool)> SetUpAsync(V1Pod pod, V1Volume volume, PodObjects objects, string hostIp,
        IReadOnlyDictionary<string, ResourceQuantity> allocatable, CancellationToken cancellationToken)
    {
        string Directory_(string plugin)
        {
            var path = Path.Combine(PodDirectory(pod.Metadata.Uid), "volumes", plugin, volume.Name);
            Directory.CreateDirectory(path);
            return path;
        }
        if (volume.EmptyDir is not null)
        {
            return (Directory_("kubernetes.io~empty-dir"), false);
        }
        if (volume.HostPath is { } hostPath)
        {
            return (HostPath(hostPath), false);
        }
        if (volume.ConfigMap is { } configMap)
        {
            var data = await objects.ConfigMapAsync(configMap.Name, cancellationToken);
            if (data is null && configMap.Optional != true)
            {
                throw new ContainerConfigException($"configmap \"{configMap.Name}\" not found");
            }
            var path = Directory_("kubernetes.io~configmap");
            WriteKeys(path, data, configMap.Items, configMap.DefaultMode, configMap.Optional == true, "configmap");
            return (path, true);
        }
        if (volume.Secret is { } secret)
        {
            var data = await objects.SecretDataAsync(secret.SecretName, cancellationToken);
            if (data is null && secret.Optional != true)
            {
                throw new ContainerConfigException($"secret \"{secret.SecretName}\" not found");
            }
            var path = Directory_("kubernetes.io~secret");
            WriteKeys(path, data, secret.Items, secret.DefaultMode, secret.Optional == true, "secret");
            return (path, true);
        }
        if (volume.DownwardAPI is { } downward)
        {
            var path = Directory_("kubernetes.io~downward-api");
            foreach (var item in downward.Items ?? [])
            {
                WriteFile(path, item.Path, Encoding.UTF8.GetBytes(DownwardValue(pod, item, hostIp, allocatable)), item.Mode ?? downward.DefaultMode);
            }
            return (path, true);
        }
        if (volume.Projected is { } projected)
        {
            var path = Directory_("kubernetes.io~projected");
            foreach (var source in projected.Sources ?? [])
            {
                await ProjectAsync(pod, path, source, projected.DefaultMode, objects, hostIp, allocatable, cancellationToken);
            }
            return (path, true);
        }
        if (volume.PersistentVolumeClaim is { } claim)
        {
            return (await ClaimedPathAsync(pod.Metadata.NamespaceProperty, claim.ClaimName, cancellationToken), claim.ReadOnlyProperty == true);
        }
        throw new ContainerConfigException("the volume's type is not supported by this node (supported: emptyDir, hostPath, configMap, secret, downwardAPI, projected, persistentVolumeClaim)");
    }

    private async Task ProjectAsync(V1Pod pod, string path, V1VolumeProjection source, int? defaultMode, PodObjects objects, string hostIp,
        IReadOnlyDictionary<string, ResourceQuantity> allocatable, CancellationToken cancellationToken)
    {
        if (source.ConfigMap is { } configMap)
        {
            var data = await objects.ConfigMapAsync(configMap.Name, cancellationToken);
            if (data is null && configMap.Optional != true)
            {
                throw new ContainerConfigException($"configmap \"{configMap.Name}\" not found");
            }
            WriteKeys(path, data, configMap.Items, defaultMode, configMap.Optional == true, "configmap");
        }
        else if (source.Secret is { } secret)
        {
            var data = await objects.SecretDataAsync(secret.Name, cancellationToken);
            if (data is null && secret.Optional != true)
            {
                throw new ContainerConfigException($"secret \"{secret.Name}\" not found");
            }
            WriteKeys(path, data, secret.Items, defaultMode, secret.Optional == true, "secret");
        }
        else if (source.DownwardAPI is { } downward)
        {
            foreach (var item in downward.Items ?? [])
            {
                WriteFile(path, item.Path, Encoding.UTF8.GetBytes(DownwardValue(pod, item, hostIp, allocatable)), item.Mode ?? defaultMode);
            }
        }
        else if (source.ServiceAccountToken is { } token)
        {
            var request = new Authenticationv1TokenRequest
            {
                Spec = new V1TokenRequestSpec
                {
                    Audiences = string.IsNullOrEmpty(token.Audience) ? [] : [token.Audience],
                    ExpirationSeconds = token.ExpirationSeconds ?? 3607,
                    BoundObjectRef = new V1BoundObjectReference { ApiVersion = "v1", Kind = "Pod", Name = pod.Metadata.Name, Uid = pod.Metadata.Uid },
                },
            };
            var issued = await client.PostAsync(ApiResources.ServiceAccountToken(pod.Metadata.NamespaceProperty, pod.Spec.ServiceAccountName ?? "default"),
                request, AgentJson.Default.Authenticationv1TokenRequest, AgentJson.Default.Authenticationv1TokenRequest, cancellationToken);
            WriteFile(path, token.Path, Encoding.UTF8.GetBytes(issued.Status.Token), defaultMode);
        }
    }

    private async Task<string> ClaimedPathAsync(string @namespace, string claimName, CancellationToken cancellationToken)
    {
        V1PersistentVolumeClaim claim;
        try
        {
            claim = await client.ReadAsync(ApiResources.PersistentVolumeClaims, @namespace, claimName, cancellationToken);
        }
        catch (ApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            throw new ContainerConfigException($"persistentvolumeclaim \"{claimName}\" not found");
        }
        if (claim.Status?.Phase != "Bound" || string.IsNullOrEmpty(claim.Spec.VolumeName))
        {
            throw new ContainerConfigException($"persistentvolumeclaim \"{claimName}\" is not bound");
        }
        var volume = await client.ReadAsync(ApiResources.PersistentVolumes, null, claim.Spec.VolumeName, cancellationToken);
        var path = volume.Spec.HostPath?.Path ?? volume.Spec.Local?.Path
            ?? throw new ContainerConfigException($"persistentvolume \"{volume.Metadata.Name}\" is neither hostPath nor local; this node mounts only those");
        Directory.CreateDirectory(path);
        return path;
    }

    private static string HostPath(V1HostPathVolumeSource source)
    {
        switch (source.Type)
        {
            case "DirectoryOrCreate":
                Directory.CreateDirectory(source.Path);
                break;
            case "FileOrCreate" when !File.Exists(source.Path):
                Directory.CreateDirectory(Path.GetDirectoryName(source.Path) ?? "/");
                File.WriteAllBytes(source.Path, []);
                break;
            case "Directory" when !Directory.Exists(source.Path):
                throw new ContainerConfigException($"hostPath type check failed: {source.Path} is not a directory");
            case "File" when !File.Exists(source.Path):
                throw new ContainerConfigException($"hostPath type check failed: {source.Path} is not a file");
        }
        return source.Path;
    }

    private static string DownwardValue(V1Pod pod, V1DownwardAPIVolumeFile item, string hostIp, IReadOnlyDictionary<string, ResourceQuantity> allocatable) =>
        item.FieldRef is { } field ? DownwardApi.Field(pod, field.FieldPath, hostIp)
        : item.ResourceFieldRef is { } resource ? DownwardApi.Resource(pod, resource, null, allocatable)
        : throw new ContainerConfigException($"downwardAPI item \"{item.Path}\" has neither fieldRef nor resourceFieldRef");

    /// <summary>The keys of a ConfigMap or Secret as files: all of them, or the items named, each at its path.</summary>
    private static void WriteKeys(string directory, IReadOnlyDictionary<string, byte[]>? data, IList<V1KeyToPath>? items, int? defaultMode, bool optional, string what)
    {
        if (data is null)
        {
            return;
        }
        if (items is null || items.Count == 0)
        {
            foreach (var (key, value) in data)
            {
                WriteFile(directory, key, value, defaultMode);
            }
            return;
        }
        foreach (var item in items)
        {
            if (data.TryGetValue(item.Key, out var value))
            {
                WriteFile(directory, item.Path, value, item.Mode ?? defaultMode);
            }
            else if (!optional)
            {
                throw new ContainerConfigException($"{what} references non-existent {(what == "secret" ? "secret" : "config")} key: {item.Key}");
            }
        }
    }

    private static void WriteFile(string directory, string relative, byte[] content, int? mode)
    {
        var path = Path.GetFullPath(Path.Combine(directory, relative));
        if (!path.StartsWith(directory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ContainerConfigException($"path \"{relative}\" leaves the volume");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)(mode ?? DefaultMode));
        }
    }
}
