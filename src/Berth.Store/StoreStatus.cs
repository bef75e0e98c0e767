namespace Berth.Store;

/// <summary>Where the revision counter stands.</summary>
/// <param name="Revision">The newest committed revision.</param>
/// <param name="CompactRevision">History before this revision is gone; reads and watches need a revision at or above it.</param>
public sealed record StoreStatus(long Revision, long CompactRevision);
