using System.CommandLine;
using Berth.Agent.Runtime;
using Berth.Server;

namespace Berth.Cli;

/// <summary>
/// <c>berth down</c>: stops what <c>berth up</c> started — the server (its node agents stop with it), the containers
/// of the pods they ran, and the Podman service they shared. The data stays: <c>berth up</c> brings it all back.
/// </summary>
internal static class DownCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string?>("--data-dir") { Description = "Berth's data folder (default: $BERTH_DATA_DIR, else ~/.berth)." };
        var command = new Command("down", "Stop the Berth server started by berth up, its nodes' containers and its Podman service; the data stays.") { dataDir };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var data = DataDirectory.Resolve(parseResult.GetValue(dataDir));
            var server = new LocalServer(data, ServerOptions.DefaultPort);
            await output.WriteLineAsync(await server.StopAsync(cancellationToken) ? "Stopped berth server." : "No berth server of this data folder was running.");
            // the nodes this data folder's agents ran: each keeps its root folder under agents/
            var agents = Path.Combine(data, "agents");
            var nodes = Directory.Exists(agents) ? Directory.GetDirectories(agents).Select(Path.GetFileName).OfType<string>().ToList() : [];
            var containers = await PodmanService.StopAsync(Path.Combine(data, "podman"), nodes, cancellationToken);
            if (containers > 0)
            {
                await output.WriteLineAsync($"Stopped {containers} container{(containers == 1 ? "" : "s")} of Berth's pods and the Podman service.");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
