namespace Berth.Store;

public enum WatchEventType
{
    Added,
    Modified,
    Deleted,
}
