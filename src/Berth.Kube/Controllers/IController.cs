namespace Berth.Kube.Controllers;

/// <summary>A control loop of the cluster: runs until the server stops, moving objects toward what they ask for.</summary>
internal interface IController
{
    string Name { get; }

    Task RunAsync(CancellationToken cancellationToken);
}
