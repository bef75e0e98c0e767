namespace Berth.Registry.Content;

/// <summary>What a manifest refers to, read once when it is pushed.</summary>
public sealed record ParsedManifest
{
    public required string MediaType { get; init; }

    /// <summary>The image's config, for image manifests.</summary>
    public Descriptor? Config { get; init; }

    /// <summary>The image's layers, for image manifests.</summary>
    public IReadOnlyList<Descriptor> Layers { get; init; } = [];

    /// <summary>The manifests an index or manifest list names.</summary>
    public IReadOnlyList<Descriptor> Manifests { get; init; } = [];

    /// <summary>The manifest this one is about (a signature, an SBOM), for the referrers API.</summary>
    public Descriptor? Subject { get; init; }

    /// <summary>The manifest's <c>artifactType</c>, or for an image manifest without one its config's media type.</summary>
    public string? ArtifactType { get; init; }

    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    public bool IsIndex => ManifestMediaTypes.IsIndex(MediaType);

    /// <summary>The blobs the repository must hold for this manifest: its config and its layers that are not foreign.</summary>
    public IEnumerable<Descriptor> Blobs => (Config is null ? Layers : Layers.Prepend(Config)).Where(d => !d.IsForeign);
}
