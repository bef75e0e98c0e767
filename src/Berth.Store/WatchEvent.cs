namespace Berth.Store;

/// <summary>One change seen by a watch.</summary>
/// <param name="Type">What happened to the key.</param>
/// <param name="Entry">The document after the change; for <see cref="WatchEventType.Deleted"/> the last document, at the deletion's revision.</param>
/// <param name="PrevValue">The document before the change; empty for <see cref="WatchEventType.Added"/>.</param>
public sealed record WatchEvent(WatchEventType Type, StoreEntry Entry, ReadOnlyMemory<byte> PrevValue)
{
    public long Revision => Entry.ModRevision;
}
