using System.Text.Json.Nodes;

namespace Berth.Kube.Resources;

/// <summary>What an allocation took and gave back: kept when the write it was for succeeds, undone when it fails.</summary>
internal sealed record Allocation(IReadOnlyList<string> Taken, IReadOnlyList<string> Freed)
{
    public static readonly Allocation None = new([], []);
}

/// <summary>
/// Hands out what must be unique across a kind's objects and is chosen by the server, as a Service's cluster IP
/// and node ports are. The handler asks before it writes, then commits or rolls back.
/// </summary>
internal interface IObjectAllocator
{
    bool Handles(ResourceType type);

    /// <summary>
    /// Takes what <paramref name="obj"/> needs and <paramref name="old"/> (null for a create) did not hold, filling
    /// it into <paramref name="obj"/>, and names what the old object held that the new one does not.
    /// </summary>
    Task<Allocation> AllocateAsync(string cluster, JsonObject obj, JsonObject? old, CancellationToken cancellationToken);

    /// <summary>The write failed: gives back what was taken for it.</summary>
    Task RollbackAsync(Allocation allocation, CancellationToken cancellationToken);

    /// <summary>The write succeeded: gives back what it freed.</summary>
    Task CommitAsync(Allocation allocation, CancellationToken cancellationToken);

    /// <summary>The object is gone: gives back everything it held.</summary>
    Task ReleaseAsync(string cluster, JsonObject obj, CancellationToken cancellationToken);
}
