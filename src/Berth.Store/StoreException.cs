namespace Berth.Store;

/// <summary>A store operation that failed for a reason the caller can act on; see <see cref="Code"/>.</summary>
public sealed class StoreException : Exception
{
    public StoreException(StoreErrorCode code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    public StoreErrorCode Code { get; }

    /// <summary>For conflicts: the key's actual mod revision, so callers can report it.</summary>
    public long? ActualRevision { get; init; }

    internal static StoreException TooOld(long revision, long compactRevision) =>
        new(StoreErrorCode.TooOld, $"revision {revision} has been compacted; the oldest available is {compactRevision}");

    internal static StoreException Closed() => new(StoreErrorCode.Unavailable, "the store is closed");
}
