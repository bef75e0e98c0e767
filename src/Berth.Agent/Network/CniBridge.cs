using System.Text;
using System.Text.Json;
using Berth.Agent.Runtime;

namespace Berth.Agent.Network;

/// <summary>
/// A sandbox's place on the pod network, made by the standard CNI plugins as containerd's CRI plugin makes it: the
/// <c>loopback</c> plugin brings up the namespace's <c>lo</c>, the <c>bridge</c> plugin makes the cluster's bridge with
/// its gateway address when missing, and a veth pair from it into the namespace as <c>eth0</c>, with the address the
/// agent chose given through the <c>static</c> IPAM plugin. Masquerading is not the plugin's here (its <c>ipMasq</c>
/// adds iptables chains per pod); the service proxy's table masquerades the pod network's traffic leaving it, once.
/// </summary>
internal static class CniBridge
{
    private const string Interface = "eth0";

    /// <summary>Where Debian's containernetworking-plugins put the plugins, then where the upstream releases do.</summary>
    private static readonly string[] s_pluginDirectories = ["/usr/lib/cni", "/opt/cni/bin"];

    /// <summary>The directory holding the plugins; fails saying what to install when none does.</summary>
    public static string PluginDirectory() =>
        s_pluginDirectories.FirstOrDefault(d => File.Exists(Path.Combine(d, "bridge")))
        ?? throw new RuntimeException($"no CNI bridge plugin for the pod network (looked in {string.Join(", ", s_pluginDirectories)}); install containernetworking-plugins");

    /// <summary>Attaches the namespace at <paramref name="netns"/> to the pod network with the attachment's address.</summary>
    public static async Task AddAsync(string sandboxId, string netns, PodNetworkAttachment attachment, CancellationToken cancellationToken)
    {
        await RunAsync("loopback", "ADD", sandboxId, netns, "lo", LoopbackConfig(), cancellationToken);
        await RunAsync("bridge", "ADD", sandboxId, netns, Interface, BridgeConfig(attachment), cancellationToken);
    }

    /// <summary>Detaches the namespace from the pod network: its veth pair goes.</summary>
    public static Task DeleteAsync(string sandboxId, string netns, PodNetworkAttachment attachment, CancellationToken cancellationToken) =>
        RunAsync("bridge", "DEL", sandboxId, netns, Interface, BridgeConfig(attachment), cancellationToken);

    private static async Task RunAsync(string plugin, string command, string sandboxId, string netns, string interfaceName, string config,
        CancellationToken cancellationToken)
    {
        var directory = PluginDirectory();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["CNI_COMMAND"] = command,
            ["CNI_CONTAINERID"] = sandboxId,
            ["CNI_NETNS"] = netns,
            ["CNI_IFNAME"] = interfaceName,
            ["CNI_PATH"] = directory,
        };
        var (exitCode, output, errors) = await HostCommand.ExecuteAsync(Path.Combine(directory, plugin), [], config, environment, cancellationToken);
        if (exitCode != 0)
        {
            throw new RuntimeException($"plugin type=\"{plugin}\" failed ({command}): {ErrorOf(output, errors)}");
        }
    }

    /// <summary>A plugin's error, as the CNI specification has it printed: <c>{"code": …, "msg": …, "details": …}</c>.</summary>
    private static string ErrorOf(string output, string errors)
    {
        try
        {
            using var error = JsonDocument.Parse(output);
            var message = error.RootElement.TryGetProperty("msg", out var msg) ? msg.GetString() : null;
            var details = error.RootElement.TryGetProperty("details", out var more) ? more.GetString() : null;
            return string.IsNullOrEmpty(details) ? message ?? output.Trim() : $"{message}: {details}";
        }
        catch (JsonException)
        {
            return string.IsNullOrWhiteSpace(output) ? errors.Trim() : output.Trim();
        }
    }

    private static string LoopbackConfig() => Write(json =>
    {
        json.WriteString("cniVersion", "1.0.0");
        json.WriteString("name", "loopback");
        json.WriteString("type", "loopback");
    });

    private static string BridgeConfig(PodNetworkAttachment attachment) => Write(json =>
    {
        var prefix = System.Net.IPNetwork.Parse(attachment.Network.Subnet).PrefixLength;
        json.WriteString("cniVersion", "1.0.0");
        json.WriteString("name", attachment.Network.Name);
        json.WriteString("type", "bridge");
        json.WriteString("bridge", attachment.Network.Bridge);
        json.WriteBoolean("isGateway", true);
        json.WriteBoolean("ipMasq", false);
        json.WriteBoolean("hairpinMode", true);
        json.WriteStartObject("ipam");
        json.WriteString("type", "static");
        json.WriteStartArray("addresses");
        json.WriteStartObject();
        json.WriteString("address", $"{attachment.Ip}/{prefix}");
        json.WriteString("gateway", attachment.Network.Gateway);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteStartArray("routes");
        json.WriteStartObject();
        json.WriteString("dst", "0.0.0.0/0");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    });

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
