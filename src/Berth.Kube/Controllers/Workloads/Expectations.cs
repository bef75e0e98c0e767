using System.Collections.Concurrent;

namespace Berth.Kube.Controllers.Workloads;

/// <summary>
/// The creations and deletions a controller has asked for and not yet seen through its informer, per owner, as
/// client-go's controller expectations: until they are seen (or five minutes pass), the owner's pods are not
/// counted again, so a lagging informer does not make the controller create or delete twice.
/// </summary>
internal sealed class Expectations(TimeProvider time)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);

    private sealed class Pending(int adds, int deletes, DateTimeOffset since)
    {
        public int Adds = adds;
        public int Deletes = deletes;
        public DateTimeOffset Since { get; } = since;
    }

    public void Expect(string owner, int adds, int deletes) => _pending[owner] = new Pending(adds, deletes, time.GetUtcNow());

    public void Created(string owner) => Lower(owner, add: true);

    public void Deleted(string owner) => Lower(owner, add: false);

    public bool Satisfied(string owner) =>
        !_pending.TryGetValue(owner, out var pending)
        || (Volatile.Read(ref pending.Adds) <= 0 && Volatile.Read(ref pending.Deletes) <= 0)
        || time.GetUtcNow() - pending.Since > s_timeout;

    /// <summary>Lowers the owner's expectations by what a change of one of its objects shows: its creation, or its deletion (or the start of it).</summary>
    public void Observe(string owner, ObjectChange change)
    {
        if (change.Old is null)
        {
            Created(owner);
        }
        else if (change.New is null || (change.Old["metadata"]?["deletionTimestamp"] is null && change.New["metadata"]?["deletionTimestamp"] is not null))
        {
            Deleted(owner);
        }
    }

    public void Forget(string owner) => _pending.TryRemove(owner, out _);

    private void Lower(string owner, bool add)
    {
        if (_pending.TryGetValue(owner, out var pending))
        {
            if (add)
            {
                Interlocked.Decrement(ref pending.Adds);
            }
            else
            {
                Interlocked.Decrement(ref pending.Deletes);
            }
        }
    }
}
