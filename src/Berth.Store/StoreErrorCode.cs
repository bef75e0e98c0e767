namespace Berth.Store;

/// <summary>Why a store operation failed; each maps onto one API error of the layers above.</summary>
public enum StoreErrorCode
{
    /// <summary>Create of a key that is present.</summary>
    KeyExists,

    /// <summary>Update or delete of a key that is absent.</summary>
    KeyNotFound,

    /// <summary>The key's revision is not the expected one: someone else wrote first.</summary>
    Conflict,

    /// <summary>The revision asked for was compacted, or a watcher fell too far behind: list again.</summary>
    TooOld,

    /// <summary>The revision asked for is newer than the newest committed one.</summary>
    FutureRevision,

    /// <summary>A malformed key, value, token or argument.</summary>
    InvalidArgument,

    /// <summary>The store is closed or cannot commit.</summary>
    Unavailable,
}
