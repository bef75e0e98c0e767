using System.Text.Json.Serialization;

namespace Berth.Registry.Content;

/// <summary>
/// A manifest as the store holds it, under <c>/registry/&lt;scope&gt;/&lt;name&gt;/_manifests/&lt;digest&gt;</c>: the exact bytes
/// pushed, and what they refer to, read once at push so listing and garbage collection need not parse them again.
/// </summary>
public sealed record StoredManifest
{
    public required string Digest { get; init; }

    public required string MediaType { get; init; }

    /// <summary>The bytes as pushed; the digest is over them, so they are never re-serialized.</summary>
    public required byte[] Content { get; init; }

    public required DateTimeOffset PushedAt { get; init; }

    /// <summary>The blobs it keeps alive: config and layers.</summary>
    public IReadOnlyList<string> Blobs { get; init; } = [];

    /// <summary>The manifests an index names.</summary>
    public IReadOnlyList<string> Manifests { get; init; } = [];

    /// <summary>The total size of the image's layers, as ECR reports an image's size.</summary>
    public long ImageSize { get; init; }

    public string? Subject { get; init; }

    public string? ArtifactType { get; init; }

    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    [JsonIgnore]
    public long Size => Content.Length;
}

/// <summary>A tag as the store holds it, under <c>/registry/&lt;scope&gt;/&lt;name&gt;/_tags/&lt;tag&gt;</c>.</summary>
public sealed record StoredTag(string Digest, DateTimeOffset PushedAt);

/// <summary>A blob's link into a repository, under <c>/registry/&lt;scope&gt;/&lt;name&gt;/_layers/&lt;digest&gt;</c>: pushed or mounted there.</summary>
internal sealed record BlobLink(DateTimeOffset LinkedAt);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StoredManifest))]
[JsonSerializable(typeof(StoredTag))]
[JsonSerializable(typeof(BlobLink))]
internal sealed partial class ContentJson : JsonSerializerContext;
