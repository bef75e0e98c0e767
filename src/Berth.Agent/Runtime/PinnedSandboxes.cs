using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Agent.Network;

namespace Berth.Agent.Runtime;

/// <summary>
/// Pod sandboxes without an infra container, as CRI-O makes them by default (<c>drop_infra_ctr</c>): the pod's network,
/// IPC and UTS namespaces are pinned by bind mounts (util-linux's <c>unshare</c> makes them) under
/// <c>/run/berth/sandboxes/&lt;id&gt;/</c>, the network is set up in its namespace by the CNI plugins
/// (<see cref="CniBridge"/>), and the pod's containers join the namespaces by path. What the engine would otherwise
/// keep in an infra container's labels (whose sandbox it is, which attempt, its address) is the sandbox's record in
/// the node's directory, beside the <c>resolv.conf</c> and <c>hosts</c> its containers mount, as containerd keeps
/// them in its sandbox directory. A pod's start is then one container for the engine to make rather than two.
/// </summary>
internal sealed class PinnedSandboxes(AgentOptions options)
{
    /// <summary>Where the namespaces are pinned: a tmpfs, so a reboot leaves no pin of a namespace that no longer exists.</summary>
    private const string NamespaceRoot = "/run/berth/sandboxes";

    private readonly string _records = Path.Combine(options.RootDirectory, "sandboxes");

    public async Task<SandboxStatus> RunAsync(SandboxConfig config, CancellationToken cancellationToken)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var record = new SandboxRecord(id, config.PodUid, config.PodNamespace, config.PodName, config.Attempt, DateTimeOffset.UtcNow,
            config.Network, Ready: false, Stopped: false);
        Directory.CreateDirectory(RecordDirectory(id));
        if (config.Dns is { } dns)
        {
            await File.WriteAllTextAsync(Path.Combine(RecordDirectory(id), "resolv.conf"), ResolvConf(dns), cancellationToken);
        }
        await File.WriteAllTextAsync(Path.Combine(RecordDirectory(id), "hosts"), await HostsAsync(config, cancellationToken), cancellationToken);
        // recorded before anything is pinned: a crash from here on leaves a sandbox the agent finds and removes
        await WriteAsync(record, cancellationToken);
        try
        {
            await PinAsync(id, config, cancellationToken);
            if (config.Network is { } attachment)
            {
                await CniBridge.AddAsync(id, NamespacePath(id, "net"), attachment, cancellationToken);
            }
        }
        catch (RuntimeException failure)
        {
            try
            {
                await RemoveAsync(id, cancellationToken);
            }
            catch (RuntimeException cleanup)
            {
                // the set-up's failure is the one to tell; the record stays, and the next sync removes what is left
                throw new RuntimeException($"{failure.Message} (removing what was made failed too: {cleanup.Message})", failure);
            }
            throw;
        }
        record = record with { Ready = true };
        await WriteAsync(record, cancellationToken);
        return StatusOf(record, Pinned(NamespaceDirectory(id)));
    }

    /// <summary>Takes the sandbox off the network and lets its namespaces go; its record stays until it is removed.</summary>
    public async Task StopAsync(string id, CancellationToken cancellationToken)
    {
        if (Read(id) is not { } record)
        {
            return;
        }
        if (!record.Stopped)
        {
            await WriteAsync(record with { Stopped = true }, cancellationToken);
        }
        var mounted = Pinned(NamespaceDirectory(id));
        if (record.Network is { } attachment && mounted.Contains(NamespacePath(id, "net")))
        {
            await CniBridge.DeleteAsync(id, NamespacePath(id, "net"), attachment, cancellationToken);
        }
        if (mounted.Count > 0)
        {
            await HostCommand.RunAsync("umount", ["--lazy", .. mounted], null, cancellationToken);
        }
        if (Directory.Exists(NamespaceDirectory(id)))
        {
            Directory.Delete(NamespaceDirectory(id), recursive: true);
        }
    }

    public async Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        await StopAsync(id, cancellationToken);
        if (Directory.Exists(RecordDirectory(id)))
        {
            Directory.Delete(RecordDirectory(id), recursive: true);
        }
    }

    public IReadOnlyList<SandboxStatus> List(string? podUid)
    {
        if (!Directory.Exists(_records))
        {
            return [];
        }
        var sandboxes = new List<SandboxStatus>();
        var pinned = Pinned(NamespaceRoot);
        foreach (var directory in Directory.EnumerateDirectories(_records))
        {
            if (Read(Path.GetFileName(directory)) is { } record && (podUid is null || record.PodUid == podUid))
            {
                sandboxes.Add(StatusOf(record, pinned));
            }
        }
        return sandboxes;
    }

    /// <summary>How a container joins the sandbox: the engine's namespace modes and the files it mounts.</summary>
    public SandboxJoin Join(string id)
    {
        var record = Read(id) ?? throw new RuntimeException($"sandbox {id} does not exist");
        var onHost = record.Network is null;
        List<string> binds = [$"{Path.Combine(RecordDirectory(id), "hosts")}:/etc/hosts:rw"];
        if (File.Exists(Path.Combine(RecordDirectory(id), "resolv.conf"))) // none: the engine's own, the host's
        {
            binds.Add($"{Path.Combine(RecordDirectory(id), "resolv.conf")}:/etc/resolv.conf:rw");
        }
        return new SandboxJoin(onHost ? "host" : "ns:" + NamespacePath(id, "net"), "ns:" + NamespacePath(id, "ipc"),
            onHost ? "host" : "ns:" + NamespacePath(id, "uts"), binds);
    }

    /// <summary>The running sandbox's network namespace, for a connection into it; the host's for a pod on the host's network.</summary>
    public string NetworkNamespace(string id)
    {
        if (Read(id) is not { } record || !StatusOf(record, Pinned(NamespaceDirectory(id))).Running)
        {
            throw new RuntimeException($"the sandbox {id} is not running");
        }
        return record.Network is null ? "/proc/self/ns/net" : NamespacePath(id, "net");
    }

    /// <summary>The sandbox as the runtime reports it, given the namespace files pinned now.</summary>
    private static SandboxStatus StatusOf(SandboxRecord record, HashSet<string> pinned)
    {
        // the pins are gone after a reboot (or a stop cut short): such a sandbox is not running, as a dead infra container
        var running = record.Ready && !record.Stopped && pinned.Contains(NamespacePath(record.Id, "ipc"));
        return new SandboxStatus(record.Id, record.PodUid, record.Attempt, running, record.Stopped ? null : record.Network?.Ip, record.CreatedAt,
            record.Network?.Network.Name);
    }

    /// <summary>Makes the namespaces and binds each to its file; in the pod's own UTS namespace its hostname is set.</summary>
    private static async Task PinAsync(string id, SandboxConfig config, CancellationToken cancellationToken)
    {
        string[] kinds = config.Network is null ? ["ipc"] : ["net", "ipc", "uts"];
        Directory.CreateDirectory(NamespaceDirectory(id));
        foreach (var kind in kinds)
        {
            await File.WriteAllBytesAsync(NamespacePath(id, kind), [], cancellationToken); // the mount point
        }
        List<string> arguments = [.. kinds.Select(k => $"--{k}={NamespacePath(id, k)}")];
        arguments.AddRange(config.Network is null ? ["true"] : ["hostname", config.Hostname]);
        await HostCommand.RunAsync("unshare", arguments, null, cancellationToken);
    }

    /// <summary>The namespace files pinned now under <paramref name="directory"/>, read from the mount table.</summary>
    private static HashSet<string> Pinned(string directory)
    {
        directory += "/";
        var pinned = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // "36 35 0:4 net:[4026532] /run/berth/sandboxes/<id>/net rw shared:1 - nsfs nsfs rw": the fifth field is where
            var mountPoint = line.Split(' ', 6)[4];
            if (mountPoint.StartsWith(directory, StringComparison.Ordinal))
            {
                pinned.Add(mountPoint);
            }
        }
        return pinned;
    }

    private static string ResolvConf(PodDnsSettings dns)
    {
        var text = new StringBuilder();
        if (dns.Searches.Count > 0)
        {
            text.Append("search ").AppendJoin(' ', dns.Searches).Append('\n');
        }
        foreach (var nameserver in dns.Nameservers)
        {
            text.Append("nameserver ").Append(nameserver).Append('\n');
        }
        if (dns.Options.Count > 0)
        {
            text.Append("options ").AppendJoin(' ', dns.Options).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The kubelet's managed hosts file, with the pod's own name at its address; the host's own for a pod on the host's network.</summary>
    private static async Task<string> HostsAsync(SandboxConfig config, CancellationToken cancellationToken)
    {
        if (config.Network is not { } attachment)
        {
            return await File.ReadAllTextAsync("/etc/hosts", cancellationToken);
        }
        return $"""
            # Kubernetes-managed hosts file.
            127.0.0.1	localhost
            ::1	localhost ip6-localhost ip6-loopback
            fe00::0	ip6-localnet
            fe00::0	ip6-mcastprefix
            fe00::1	ip6-allnodes
            fe00::2	ip6-allrouters
            {attachment.Ip}	{config.Hostname}

            """;
    }

    private SandboxRecord? Read(string id)
    {
        var path = Path.Combine(RecordDirectory(id), "sandbox.json");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null; // being made (its record not written yet) or removed meanwhile
        }
        try
        {
            return JsonSerializer.Deserialize(bytes, SandboxRecordJson.Default.SandboxRecord);
        }
        catch (JsonException e)
        {
            throw new RuntimeException($"the sandbox record {path} is not readable: {e.Message}", e);
        }
    }

    /// <summary>Writes the record whole or not at all: a reader never sees half of it.</summary>
    private async Task WriteAsync(SandboxRecord record, CancellationToken cancellationToken)
    {
        var path = Path.Combine(RecordDirectory(record.Id), "sandbox.json");
        await File.WriteAllBytesAsync(path + ".new", JsonSerializer.SerializeToUtf8Bytes(record, SandboxRecordJson.Default.SandboxRecord), cancellationToken);
        File.Move(path + ".new", path, overwrite: true);
    }

    private string RecordDirectory(string id) => Path.Combine(_records, id);

    private static string NamespaceDirectory(string id) => Path.Combine(NamespaceRoot, id);

    private static string NamespacePath(string id, string kind) => Path.Combine(NamespaceRoot, id, kind);
}

/// <summary>What a pinned sandbox is: its pod, its attempt, its place on the pod network (none: the host's), and how far it got.</summary>
internal sealed record SandboxRecord(string Id, string PodUid, string PodNamespace, string PodName, int Attempt, DateTimeOffset CreatedAt,
    PodNetworkAttachment? Network, bool Ready, bool Stopped);

/// <summary>How a container joins a sandbox: the engine's network, IPC and UTS modes, and the sandbox's files bound into it.</summary>
internal sealed record SandboxJoin(string NetworkMode, string IpcMode, string UtsMode, IReadOnlyList<string> Binds);

[JsonSerializable(typeof(SandboxRecord))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class SandboxRecordJson : JsonSerializerContext;
