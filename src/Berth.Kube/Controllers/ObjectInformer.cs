using System.Text.Json.Nodes;

namespace Berth.Kube.Controllers;

/// <summary>One change an informer saw: the object before (null when added) and after (null when deleted).</summary>
internal sealed record ObjectChange(string Key, JsonObject? Old, JsonObject? New);

/// <summary>
/// A controller's handle on a <see cref="SharedInformer"/>: the objects under its prefix, and its changes sent to
/// the controller's handler while <see cref="RunAsync"/> runs, starting with every object already held. Made by
/// <see cref="SharedInformers"/>. The objects are shared with other controllers and must not be modified.
/// </summary>
internal sealed class ObjectInformer
{
    private readonly SharedInformer _source;
    private readonly Action<ObjectChange> _onChange;
    private readonly bool _runsSource;
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal ObjectInformer(SharedInformer source, Action<ObjectChange> onChange, bool runsSource = false)
    {
        _source = source;
        _onChange = onChange;
        _runsSource = runsSource;
    }

    /// <summary>Completes once the handler has been told of every object the first list found.</summary>
    public Task Synced => _synced.Task;

    public JsonObject? Get(string key) => _source.Get(key);

    public IEnumerable<KeyValuePair<string, JsonObject>> Objects => _source.Objects;

    /// <summary>
    /// Sends changes to the handler until cancelled. A handler that throws ends this with its exception, so the
    /// controller stops and starts again from a fresh copy rather than run on having missed a change.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var subscription = _source.Subscribe(Deliver);
        var running = _runsSource ? _source.RunAsync(cancellationToken) : Task.Delay(Timeout.Infinite, cancellationToken);
        await Task.WhenAny(_source.Synced, running, _failed.Task);
        if (_source.Synced.IsCompleted)
        {
            _synced.TrySetResult();
        }
        await await Task.WhenAny(running, _failed.Task);
    }

    private void Deliver(ObjectChange change)
    {
        if (_failed.Task.IsCompleted)
        {
            return;
        }
        try
        {
            _onChange(change);
        }
        catch (Exception e)
        {
            _failed.TrySetException(e); // surfaces through RunAsync; the shared watch goes on for the others
        }
    }
}
