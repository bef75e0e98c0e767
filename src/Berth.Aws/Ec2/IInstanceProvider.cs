namespace Berth.Aws.Ec2;

/// <summary>
/// Runs the machines behind EC2 instances. The default runs each as a local <c>berth agent</c> process; others (a
/// remote machine that joined, a simulated node) plug in behind the same three calls. Machines belong to the server's
/// life: after a restart, the instance controller starts again the ones that were running.
/// </summary>
public interface IInstanceProvider
{
    /// <summary>Boots the instance's machine, unless it already runs in this server's life.</summary>
    Task StartAsync(Ec2Instance instance, CancellationToken cancellationToken);

    /// <summary>Whether the machine started in this server's life still runs; null when it was not started in it.</summary>
    bool? IsRunning(Ec2Instance instance);

    /// <summary>Ends the machine for good: stops it and removes all it left (containers, files).</summary>
    Task TerminateAsync(Ec2Instance instance, CancellationToken cancellationToken);
}
