using System.Text.Json.Serialization;
using Berth.Registry.Content;
using Microsoft.AspNetCore.Http;

namespace Berth.Registry.Distribution;

/// <summary>
/// <c>/v2/&lt;name&gt;/referrers/&lt;digest&gt;</c>: an OCI index of the repository's manifests whose <c>subject</c> is
/// that digest (signatures, SBOMs, attestations), optionally only those of one <c>artifactType</c>.
/// </summary>
internal sealed class ReferrerRequests(RepositoryContent content)
{
    public async Task ListAsync(HttpContext context, RegistryRepository repository, string reference)
    {
        var subject = BlobRequests.ParseDigest(reference).ToString();
        var artifactType = context.Request.Query["artifactType"].ToString();
        var referrers = (await content.ListManifestsAsync(repository, context.RequestAborted))
            .Where(m => m.Subject == subject && (artifactType.Length == 0 || m.ArtifactType == artifactType))
            .OrderBy(m => m.PushedAt)
            .Select(m => new ReferrerDescriptor(m.MediaType, m.Digest, m.Size, m.ArtifactType, m.Annotations))
            .ToList();
        if (artifactType.Length > 0)
        {
            context.Response.Headers["OCI-Filters-Applied"] = "artifactType";
        }
        context.Response.ContentType = ManifestMediaTypes.OciIndex;
        await System.Text.Json.JsonSerializer.SerializeAsync(context.Response.Body, new ReferrerIndex(2, ManifestMediaTypes.OciIndex, referrers),
            DistributionJson.Default.ReferrerIndex, context.RequestAborted);
    }
}

internal sealed record ReferrerIndex(
    [property: JsonPropertyName("schemaVersion")] int SchemaVersion,
    [property: JsonPropertyName("mediaType")] string MediaType,
    [property: JsonPropertyName("manifests")] IReadOnlyList<ReferrerDescriptor> Manifests);

internal sealed record ReferrerDescriptor(
    [property: JsonPropertyName("mediaType")] string MediaType,
    [property: JsonPropertyName("digest")] string Digest,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("artifactType"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ArtifactType,
    [property: JsonPropertyName("annotations"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Annotations);
