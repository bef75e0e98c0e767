using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Berth.Agent.Runtime;

/// <summary>
/// The Podman service the agents of one machine share: <c>podman system service</c> serving the Docker Engine API on a
/// socket in Berth's data folder, with the settings this kind of host needs (runtime runc, cgroupfs, default ulimits
/// inside the hard limits) in its own <c>containers.conf</c>. Started when nothing answers on the socket, in its own
/// session so that it outlives the agent that started it; containers outlive it in turn (conmon holds them).
/// </summary>
public static partial class PodmanService
{
    /// <summary>What Berth asks of Podman beyond its defaults.</summary>
    public const string ContainersConf = """
        # Written by Berth for the Podman service its node agents share.
        [containers]
        default_ulimits = ["nofile=10000:10000", "nproc=1000:1000"]
        log_driver = "k8s-file"

        [engine]
        runtime = "runc"
        cgroup_manager = "cgroupfs"
        events_logger = "file"

        """;

    public static string SocketPath(string directory) => Path.Combine(directory, "podman.sock");

    public static Uri Endpoint(string directory) => new("unix://" + SocketPath(directory));

    /// <summary>Makes sure the service answers on the socket under <paramref name="directory"/>, starting it when it does not.</summary>
    public static async Task EnsureAsync(string directory, ILogger logger, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var socket = SocketPath(directory);
        if (await AnswersAsync(socket, cancellationToken))
        {
            return;
        }
        // one agent starts it while the others of the machine wait on the lock, then find it answering
        await using var lockFile = await LockAsync(Path.Combine(directory, "service.lock"), cancellationToken);
        if (await AnswersAsync(socket, cancellationToken))
        {
            return;
        }
        var conf = Path.Combine(directory, "containers.conf");
        await File.WriteAllTextAsync(conf, ContainersConf, cancellationToken);
        File.Delete(socket);
        var log = Path.Combine(directory, "service.log");
        var start = new ProcessStartInfo("setsid")
        {
            ArgumentList = { "sh", "-c", "exec podman system service --time=0 \"$1\" >>\"$2\" 2>&1 </dev/null", "sh", "unix://" + socket, log },
            UseShellExecute = false,
        };
        start.Environment["CONTAINERS_CONF"] = conf;
        LogStarting(logger, socket);
        try
        {
            // setsid execs in place (the child leads no process group), so this id is the service's own
            using var process = Process.Start(start) ?? throw new RuntimeException("could not start podman");
            await File.WriteAllTextAsync(PidPath(directory), process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n", cancellationToken);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new RuntimeException($"could not start the Podman service (is podman installed? ./setup.sh installs it): {e.Message}", e);
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await AnswersAsync(socket, cancellationToken))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new RuntimeException($"the Podman service did not answer on {socket} within 30 s; see {log}");
            }
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>
    /// Stops what an installation runs on the service under <paramref name="directory"/>: the containers of its nodes'
    /// pods (each labelled with its node; the engine's storage is the machine's, shared with other installations, whose
    /// containers stay), then the service itself. Answers how many containers were stopped.
    /// </summary>
    public static async Task<int> StopAsync(string directory, IReadOnlyList<string> nodes, CancellationToken cancellationToken)
    {
        var stopped = 0;
        if (nodes.Count > 0 && await AnswersAsync(SocketPath(directory), cancellationToken))
        {
            using var client = new Docker.DotNet.DockerClientBuilder().WithEndpoint(Endpoint(directory)).WithApiVersion(new System.Version(1, 41)).Build();
            foreach (var node in nodes)
            {
                var containers = await client.Containers.ListContainersAsync(new Docker.DotNet.Models.ContainersListParameters
                {
                    Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{RuntimeLabels.Node}={node}"] = true } },
                }, cancellationToken);
                await Task.WhenAll(containers.Select(c => client.Containers.StopContainerAsync(c.ID, new Docker.DotNet.Models.ContainerStopParameters { WaitBeforeKillSeconds = 10 }, cancellationToken)));
                stopped += containers.Count;
            }
        }
        if (File.Exists(PidPath(directory)) && int.TryParse(await File.ReadAllTextAsync(PidPath(directory), cancellationToken), out var pid))
        {
            try
            {
                using var service = Process.GetProcessById(pid);
                service.Kill(); // podman system service holds no state of its own: the containers' are in conmon and storage
                await service.WaitForExitAsync(cancellationToken);
            }
            catch (ArgumentException)
            {
                // it had stopped already
            }
            File.Delete(PidPath(directory));
        }
        return stopped;
    }

    private static string PidPath(string directory) => Path.Combine(directory, "service.pid");

    private static async Task<bool> AnswersAsync(string socketPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(socketPath))
        {
            return false;
        }
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task<FileStream> LockAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(100, cancellationToken); // another agent holds it
            }
        }
    }

    [LoggerMessage(EventId = 5020, Level = LogLevel.Information, Message = "Starting the Podman service on {Socket}")]
    private static partial void LogStarting(ILogger logger, string socket);
}
