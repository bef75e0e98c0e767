using System.CommandLine;
using System.Net;
using Berth.Agent;
using Berth.Agent.Runtime;
using Berth.Server;

namespace Berth.Cli;

internal static class AgentCommand
{
    public static Command Create()
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
        var command = new Command("agent", "Run a node agent: register a Node in a cluster and run the pods bound to it.")
        {
            nodeName, kubeconfig, address, port, cpu, memory, maxPods, labels, runtime, endpoint,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var config = parseResult.GetValue(kubeconfig) is { Length: > 0 } given ? given
                : Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } fromEnvironment ? fromEnvironment
                : Path.Combine(DataDirectory.Resolve(null), "kubeconfig");
            if (!File.Exists(config))
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"berth: no kubeconfig at {config}; start `berth server` or pass --kubeconfig");
                return ExitCodes.Failure;
            }
            var data = DataDirectory.Resolve(null);
            var runtimeName = parseResult.GetValue(runtime)!;
            var givenEndpoint = parseResult.GetValue(endpoint);
            var podmanDirectory = runtimeName == "podman" && givenEndpoint is null ? Path.Combine(data, "podman") : null;
            var options = new AgentOptions
            {
                RootDirectory = Path.Combine(data, "agents", parseResult.GetValue(nodeName)!),
                ManagedPodmanDirectory = podmanDirectory,
                ContainerRuntimeEndpoint = podmanDirectory is not null ? PodmanService.Endpoint(podmanDirectory)
                    : new Uri(givenEndpoint ?? "unix:///var/run/docker.sock"),
                NodeName = parseResult.GetValue(nodeName)!,
                KubeconfigPath = config,
                Address = IPAddress.Parse(parseResult.GetValue(address)!),
                Port = parseResult.GetValue(port),
                Cpu = parseResult.GetValue(cpu)!,
                Memory = parseResult.GetValue(memory)!,
                MaxPods = parseResult.GetValue(maxPods),
                Labels = (parseResult.GetValue(labels) ?? []).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal),
                Runtime = runtimeName,
            };
            await AgentHost.RunAsync(options, cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }
}
