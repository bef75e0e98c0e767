using System.Threading.Channels;
using Berth.Agent.Client;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Berth.Agent.Services;

/// <summary>
/// The objects of a cluster its Services are made of (Services, EndpointSlices, Nodes), kept by watches while the
/// agent leads: the proxy renders its rules from them, the DNS server answers from them. <see cref="Changed"/> is
/// signalled after any change, coalesced while no one has read it.
/// </summary>
internal sealed class ClusterObjects
{
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ObjectCache<V1Service, V1ServiceList> _services;
    private readonly ObjectCache<V1EndpointSlice, V1EndpointSliceList> _slices;
    private readonly ObjectCache<V1Node, V1NodeList> _nodes;

    public ClusterObjects(ApiClient client, TimeProvider time, ILogger logger)
    {
        _services = new(client, ApiResources.Services, Signal, time, logger);
        _slices = new(client, ApiResources.EndpointSlices, Signal, time, logger);
        _nodes = new(client, ApiResources.Nodes, Signal, time, logger);
    }

    public bool Synced => _services.Synced && _slices.Synced && _nodes.Synced;

    public IReadOnlyCollection<V1Service> Services => _services.Objects;

    public IReadOnlyCollection<V1EndpointSlice> Slices => _slices.Objects;

    public IReadOnlyCollection<V1Node> Nodes => _nodes.Objects;

    public ChannelReader<bool> Changed => _changed.Reader;

    /// <summary>Signals a change, as a watch does: to have what depends on the objects looked at again.</summary>
    public void Signal() => _changed.Writer.TryWrite(true);

    /// <summary>Keeps the objects until cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_services.RunAsync(cancellationToken), _slices.RunAsync(cancellationToken), _nodes.RunAsync(cancellationToken));
}
