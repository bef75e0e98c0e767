using Berth.Registry.Storage;

namespace Berth.Registry.Content;

/// <summary>A content descriptor as manifests write them: what the referenced content is, its digest and its size.</summary>
public sealed record Descriptor(string MediaType, Digest Digest, long Size)
{
    /// <summary>A foreign layer: fetched from its <c>urls</c>, never pushed to a registry.</summary>
    public bool IsForeign { get; init; }

    public string? ArtifactType { get; init; }

    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
}
