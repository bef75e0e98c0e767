using System.CommandLine;
using System.Net;
using Berth.Agent.Runtime;
using Berth.Cli;
using Berth.Server;
using Microsoft.Extensions.Logging;

namespace Berth.Agent;

/// <summary>The agent's command line: <c>berth agent</c> runs this program with the arguments it was given.</summary>
internal static class AgentCommand
{
    public static RootCommand Create()
    {
        var nodeName = new Option<string>("--node-name") { Description = "Name of the Node the agent registers.", Required = true };
        var kubeconfig = new Option<string?>("--kubeconfig")
        {
            Description = "Kubeconfig of the cluster to join (default: $KUBECONFIG, else the data folder's kubeconfig).",
        };
        var address = new Option<string>("--address")
        {
            Description = "The node's address (InternalIP); any 127.x.y.z is loopback.",
            DefaultValueFactory = _ => IPAddress.Loopback.ToString(),
        };
        var cpu = new Option<string>("--cpu") { Description = "CPU the node offers.", DefaultValueFactory = _ => "2" };
        var memory = new Option<string>("--memory") { Description = "Memory the node offers.", DefaultValueFactory = _ => "4Gi" };
        var port = new Option<int>("--port")
        {
            Description = "Port of the agent's HTTPS endpoint (logs, exec, port forwarding) on its address; 0 for any free one.",
            DefaultValueFactory = _ => 10250,
        };
        port.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > 65535)
            {
                result.AddError($"--port {result.GetValueOrDefault<int>()} is not a port number");
            }
        });
        var maxPods = new Option<int>("--max-pods") { Description = "Pods the node takes at most.", DefaultValueFactory = _ => 110 };
        var labels = new Option<string[]>("--label") { Description = "A Node label, key=value; repeat for more.", AllowMultipleArgumentsPerToken = false };
        var taints = new Option<string[]>("--taint")
        {
            Description = "A taint the Node registers with, key[=value]:Effect (NoSchedule, PreferNoSchedule, NoExecute); repeat for more.",
            AllowMultipleArgumentsPerToken = false,
        };
        var tearDown = new Option<bool>("--tear-down")
        {
            Description = "Remove every container the node's pods left and the node's files, then exit: what the end of the node's machine does.",
        };
        var runtime = new Option<string>("--runtime")
        {
            Description = "How pods run: podman (a Podman service the agent starts and keeps), docker (the Docker Engine API at "
                + "--container-runtime-endpoint), or simulated (no containers, for scale tests).",
            DefaultValueFactory = _ => "podman",
        };
        runtime.AcceptOnlyFromAmong("podman", "docker", "simulated");
        var endpoint = new Option<string?>("--container-runtime-endpoint")
        {
            Description = "Where the Docker Engine API is served (unix:///path or tcp://host:port); for podman, one the agent then "
                + "does not start itself (default: a Podman service in the data folder; for docker: unix:///var/run/docker.sock).",
        };
        endpoint.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } value && !(Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "unix" or "tcp" or "http" or "https"))
            {
                result.AddError($"--container-runtime-endpoint '{value}' is not a unix://, tcp:// or http(s):// address");
            }
        });
        address.Validators.Add(result =>
        {
            if (!IPAddress.TryParse(result.GetValueOrDefault<string>(), out _))
            {
                result.AddError($"'{result.GetValueOrDefault<string>()}' is not an IP address");
            }
        });
        labels.Validators.Add(result =>
        {
            foreach (var label in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (label.IndexOf('=', StringComparison.Ordinal) <= 0)
                {
                    result.AddError($"--label '{label}' is not key=value");
                }
            }
        });
        taints.Validators.Add(result =>
        {
            foreach (var taint in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (ParseTaint(taint) is null)
                {
                    result.AddError($"--taint '{taint}' is not key[=value]:Effect with Effect NoSchedule, PreferNoSchedule or NoExecute");
                }
            }
        });
        var clusterDns = new Option<string>("--cluster-dns")
        {
            Description = "The cluster DNS Service's address, the nameserver pods are given (the kubelet's clusterDNS).",
            DefaultValueFactory = _ => AgentOptions.DefaultClusterDns.ToString(),
        };
        clusterDns.Validators.Add(result =>
        {
            if (!IPAddress.TryParse(result.GetValueOrDefault<string>(), out var given) || given.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            {
                result.AddError($"--cluster-dns '{result.GetValueOrDefault<string>()}' is not an IPv4 address");
            }
        });
        var clusterDomain = new Option<string>("--cluster-domain")
        {
            Description = "The cluster's DNS domain, which pods search (the kubelet's clusterDomain).",
            DefaultValueFactory = _ => AgentOptions.DefaultClusterDomain,
        };
        clusterDomain.Validators.Add(result =>
        {
            var domain = result.GetValueOrDefault<string>() ?? "";
            if (domain.Length is 0 or > 253 || !domain.Split('.').All(l => System.Text.RegularExpressions.Regex.IsMatch(l, "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")))
            {
                result.AddError($"--cluster-domain '{domain}' is not a DNS domain (lower-case labels of letters, digits and '-', joined by '.')");
            }
        });
        var command = new RootCommand("Run a node agent: register a Node in a cluster and run the pods bound to it.")
        {
            nodeName, kubeconfig, address, port, cpu, memory, maxPods, labels, taints, runtime, endpoint, clusterDns, clusterDomain, tearDown,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var data = DataDirectory.Resolve(null);
            var runtimeName = parseResult.GetValue(runtime)!;
            var givenEndpoint = parseResult.GetValue(endpoint);
            var podmanDirectory = runtimeName == "podman" && givenEndpoint is null ? Path.Combine(data, "podman") : null;
            var rootDirectory = Path.Combine(data, "agents", parseResult.GetValue(nodeName)!);
            var runtimeEndpoint = podmanDirectory is not null ? PodmanService.Endpoint(podmanDirectory) : new Uri(givenEndpoint ?? "unix:///var/run/docker.sock");
            if (parseResult.GetValue(tearDown))
            {
                using var loggers = LoggerFactory.Create(l => l.AddSimpleConsole(c => c.SingleLine = true));
                await AgentHost.TearDownAsync(new AgentOptions
                {
                    NodeName = parseResult.GetValue(nodeName)!,
                    KubeconfigPath = "",
                    RootDirectory = rootDirectory,
                    ManagedPodmanDirectory = podmanDirectory,
                    ContainerRuntimeEndpoint = runtimeEndpoint,
                    Runtime = runtimeName,
                }, loggers.CreateLogger("berth.agent"), cancellationToken);
                return ExitCodes.Ok;
            }
            var config = parseResult.GetValue(kubeconfig) is { Length: > 0 } given ? given
                : Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } fromEnvironment ? fromEnvironment
                : Path.Combine(DataDirectory.Resolve(null), "kubeconfig");
            if (!File.Exists(config))
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"berth: no kubeconfig at {config}; start `berth server` or pass --kubeconfig");
                return ExitCodes.Failure;
            }
            var options = new AgentOptions
            {
                RootDirectory = rootDirectory,
                ManagedPodmanDirectory = podmanDirectory,
                ContainerRuntimeEndpoint = runtimeEndpoint,
                NodeName = parseResult.GetValue(nodeName)!,
                KubeconfigPath = config,
                Address = IPAddress.Parse(parseResult.GetValue(address)!),
                Port = parseResult.GetValue(port),
                Cpu = parseResult.GetValue(cpu)!,
                Memory = parseResult.GetValue(memory)!,
                MaxPods = parseResult.GetValue(maxPods),
                ClusterDns = IPAddress.Parse(parseResult.GetValue(clusterDns)!),
                ClusterDomain = parseResult.GetValue(clusterDomain)!,
                Labels = (parseResult.GetValue(labels) ?? []).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal),
                Taints = [.. (parseResult.GetValue(taints) ?? []).Select(t => ParseTaint(t)!)],
                Runtime = runtimeName,
            };
            await AgentHost.RunAsync(options, cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A taint as the kubelet's <c>--register-with-taints</c> reads it: <c>key[=value]:Effect</c>; null when malformed.</summary>
    private static k8s.Models.V1Taint? ParseTaint(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || text[(colon + 1)..] is not ("NoSchedule" or "PreferNoSchedule" or "NoExecute") || text[..colon].Split('=', 2) is not [{ Length: > 0 } key, ..] parts)
        {
            return null;
        }
        return new k8s.Models.V1Taint { Key = key, Value = parts.Length > 1 ? parts[1] : null, Effect = text[(colon + 1)..] };
    }
}
