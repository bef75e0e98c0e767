namespace Berth.Store;

public enum WatchEventType
{
    Added,
    Modified,
    Deleted,

    /// <summary>
    /// No change: every change the watch matches at or below the event's revision has been delivered. Sent to
    /// live watches when <see cref="IStore.RequestWatchProgress"/> asks, as etcd's progress notifications are; the
    /// entry carries only the revision.
    /// </summary>
    Progress,
}
