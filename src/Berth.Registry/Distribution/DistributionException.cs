namespace Berth.Registry.Distribution;

/// <summary>A refusal with the distribution spec's status and error code, written as its error body.</summary>
internal sealed class DistributionException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    /// <summary>Headers the refusal carries, such as the upload's <c>Range</c> on a 416.</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static DistributionException NameUnknown(string name) => new(404, "NAME_UNKNOWN", $"repository {name} is not known to the registry");

    public static DistributionException BlobUnknown(string digest) => new(404, "BLOB_UNKNOWN", $"blob {digest} is unknown to the repository");

    public static DistributionException ManifestUnknown(string reference) => new(404, "MANIFEST_UNKNOWN", $"manifest {reference} is unknown to the repository");

    public static DistributionException DigestInvalid(string message) => new(400, "DIGEST_INVALID", message);
}
