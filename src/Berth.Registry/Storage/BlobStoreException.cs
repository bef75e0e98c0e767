namespace Berth.Registry.Storage;

/// <summary>Why the blob store refused an operation; the distribution API maps each to its error code.</summary>
public enum BlobStoreError
{
    /// <summary>No upload has that id (never started, completed, cancelled or cleaned up): BLOB_UPLOAD_UNKNOWN.</summary>
    UploadUnknown,

    /// <summary>A chunk does not start where the upload ends (416 with the upload's range): BLOB_UPLOAD_INVALID.</summary>
    RangeInvalid,

    /// <summary>Another request is writing to the same upload now: BLOB_UPLOAD_INVALID.</summary>
    UploadBusy,

    /// <summary>The uploaded content does not have the digest the client gave: DIGEST_INVALID.</summary>
    DigestMismatch,
}

public sealed class BlobStoreException(BlobStoreError error, string message) : Exception(message)
{
    public BlobStoreError Error { get; } = error;

    /// <summary>The upload's size when it was refused, for the <c>Range</c> header of the answer.</summary>
    public long? UploadSize { get; init; }
}
