using Berth.Registry.Content;
using Microsoft.AspNetCore.Http;

namespace Berth.Registry.Distribution;

/// <summary><c>/v2/&lt;name&gt;/manifests/&lt;reference&gt;</c>, by tag or digest: fetch, push, delete.</summary>
internal sealed class ManifestRequests(RepositoryContent content)
{
    public async Task GetAsync(HttpContext context, RegistryRepository repository, string reference)
    {
        var manifest = await content.FindManifestAsync(repository, reference, context.RequestAborted)
            ?? throw DistributionException.ManifestUnknown(reference);
        var response = context.Response;
        response.ContentType = manifest.MediaType;
        response.ContentLength = manifest.Size;
        response.Headers["Docker-Content-Digest"] = manifest.Digest;
        response.Headers.ETag = $"\"{manifest.Digest}\"";
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(manifest.Content, context.RequestAborted);
        }
    }

    public async Task PutAsync(HttpContext context, RegistryRepository repository, string reference)
    {
        var body = await ReadBodyAsync(context.Request, context.RequestAborted);
        var manifest = await content.PutManifestAsync(repository, reference, body, context.Request.ContentType, context.RequestAborted);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status201Created;
        response.Headers.Location = $"/v2/{repository.Name}/manifests/{manifest.Digest}";
        response.Headers["Docker-Content-Digest"] = manifest.Digest;
        if (manifest.Subject is not null)
        {
            // tells the client the referrers API indexes this manifest, so it need not maintain a referrers tag
            response.Headers["OCI-Subject"] = manifest.Subject;
        }
        response.ContentLength = 0;
    }

    /// <summary>By digest: the manifest and its tags. By tag: the tag alone.</summary>
    public async Task DeleteAsync(HttpContext context, RegistryRepository repository, string reference)
    {
        var (tag, digest) = RepositoryContent.ParseReference(reference);
        var deleted = tag is not null
            ? await content.DeleteTagAsync(repository, tag, context.RequestAborted)
            : await content.DeleteManifestAsync(repository, digest!.Value, context.RequestAborted);
        if (!deleted)
        {
            throw DistributionException.ManifestUnknown(reference);
        }
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentLength = 0;
    }

    /// <summary>The manifest's bytes, refused with 413 beyond <see cref="RepositoryContent.MaxManifestSize"/> before they are read.</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > RepositoryContent.MaxManifestSize)
        {
            throw TooLarge();
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > RepositoryContent.MaxManifestSize)
            {
                throw TooLarge();
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static DistributionException TooLarge() =>
        new(StatusCodes.Status413PayloadTooLarge, "SIZE_INVALID", $"manifests are limited to {RepositoryContent.MaxManifestSize} bytes");
}
