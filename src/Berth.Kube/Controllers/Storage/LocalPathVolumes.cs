using System.Text.Json.Nodes;
using Berth.Kube.Resources.Storage;

namespace Berth.Kube.Controllers.Storage;

/// <summary>
/// Berth's own provisioner, <c>berth.io/local-path</c>, behind the default StorageClass <c>local-path</c>: a claim
/// gets a hostPath PersistentVolume, a directory under the server's data folder. Every node agent started by this
/// server runs on this machine, so every node reaches the directory, and the class binds at once (Immediate).
/// </summary>
internal sealed class LocalPathVolumes(KubeApiOptions options)
{
    public const string Provisioner = "berth.io/local-path";
    public const string DefaultClass = "local-path";

    /// <summary>Where provisioned volumes live.</summary>
    public string Root => Path.Combine(options.DataDirectory, "volumes");

    /// <summary>The StorageClass every cluster starts with, the default one.</summary>
    public static JsonObject DefaultStorageClass() => new()
    {
        ["apiVersion"] = "storage.k8s.io/v1",
        ["kind"] = "StorageClass",
        ["metadata"] = new JsonObject
        {
            ["name"] = DefaultClass,
            ["annotations"] = new JsonObject { [StorageClassStrategy.DefaultClassAnnotation] = "true" },
        },
        ["provisioner"] = Provisioner,
        ["reclaimPolicy"] = "Delete",
        ["volumeBindingMode"] = "Immediate",
    };

    /// <summary>The directory of a new volume, named so an operator can tell whose data it holds.</summary>
    public string Create(string volumeName, string claimNamespace, string claimName)
    {
        var path = Path.Combine(Root, $"{volumeName}_{claimNamespace}_{claimName}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Removes a provisioned volume's directory; refuses any path outside <see cref="Root"/>.</summary>
    public void Delete(string path)
    {
        var full = Path.GetFullPath(path);
        if (!full.StartsWith(Path.GetFullPath(Root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{path} is not a volume this provisioner made");
        }
        if (Directory.Exists(full))
        {
            Directory.Delete(full, recursive: true);
        }
    }
}
