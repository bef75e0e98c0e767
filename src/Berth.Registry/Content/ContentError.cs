namespace Berth.Registry.Content;

/// <summary>Why a repository's content refused an operation; the distribution API and ECR each map it to their own error.</summary>
public enum ContentError
{
    /// <summary>Not a manifest the registry can store: MANIFEST_INVALID.</summary>
    ManifestInvalid,

    /// <summary>The manifest names a blob the repository does not hold: MANIFEST_BLOB_UNKNOWN.</summary>
    ManifestBlobUnknown,

    /// <summary>The index names a manifest the repository does not hold: MANIFEST_BLOB_UNKNOWN too.</summary>
    ReferencedManifestUnknown,

    /// <summary>No manifest under that tag or digest: MANIFEST_UNKNOWN.</summary>
    ManifestUnknown,

    /// <summary>The content does not have the digest it was addressed by: DIGEST_INVALID.</summary>
    DigestInvalid,

    /// <summary>A tag that is malformed, or that an immutable repository already holds for other content: TAG_INVALID.</summary>
    TagInvalid,

    /// <summary>The same tag is being set by another request now: retry.</summary>
    TagConflict,
}

public sealed class ContentException(ContentError error, string message) : Exception(message)
{
    public ContentError Error { get; } = error;

    /// <summary>For <see cref="ContentError.TagInvalid"/> of an immutable repository: the tag already held.</summary>
    public bool TagAlreadyExists { get; init; }
}
