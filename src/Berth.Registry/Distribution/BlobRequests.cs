using Berth.Registry.Content;
using Berth.Registry.Storage;
using Microsoft.AspNetCore.Http;

namespace Berth.Registry.Distribution;

/// <summary><c>/v2/&lt;name&gt;/blobs/&lt;digest&gt;</c>: a blob's existence, its content (whole or a byte range), its removal from the repository.</summary>
internal sealed class BlobRequests(RepositoryContent content)
{
    public async Task GetAsync(HttpContext context, RegistryRepository repository, string reference)
    {
        var digest = ParseDigest(reference);
        var cancellationToken = context.RequestAborted;
        if (await content.FindBlobAsync(repository, digest, cancellationToken) is null)
        {
            throw DistributionException.BlobUnknown(reference);
        }
        var stream = content.Blobs.OpenRead(digest) ?? throw DistributionException.BlobUnknown(reference);
        var response = context.Response;
        response.Headers["Docker-Content-Digest"] = digest.ToString();
        response.Headers.ETag = $"\"{digest}\"";
        response.Headers.CacheControl = "max-age=31536000";
        if (HttpMethods.IsHead(context.Request.Method))
        {
            await using (stream)
            {
                response.ContentType = "application/octet-stream";
                response.ContentLength = stream.Length;
                response.Headers.AcceptRanges = "bytes";
            }
            return;
        }
        if (context.Request.Headers.Range.Count > 0)
        {
            // disposes the stream; answers Range requests with 206 and unsatisfiable ones with 416
            await TypedResults.File(stream, "application/octet-stream", enableRangeProcessing: true).ExecuteAsync(context);
            return;
        }
        await using (stream)
        {
            response.ContentType = "application/octet-stream";
            response.ContentLength = stream.Length;
            response.Headers.AcceptRanges = "bytes";
            await CopyAsync(stream, response, context.RequestAborted);
        }
    }

    /// <summary>Reads the blob straight into the response's buffers, in large pieces: a pull is mostly this loop.</summary>
    private static async Task CopyAsync(FileStream blob, HttpResponse response, CancellationToken cancellationToken)
    {
        var writer = response.BodyWriter;
        while (true)
        {
            var memory = writer.GetMemory(BlobStore.BufferSize);
            var read = await blob.ReadAsync(memory, cancellationToken);
            if (read == 0)
            {
                return;
            }
            writer.Advance(read);
            if ((await writer.FlushAsync(cancellationToken)).IsCompleted)
            {
                return;
            }
        }
    }

    public async Task DeleteAsync(HttpContext context, RegistryRepository repository, string reference)
    {
        var digest = ParseDigest(reference);
        if (!await content.UnlinkBlobAsync(repository, digest, context.RequestAborted))
        {
            throw DistributionException.BlobUnknown(reference);
        }
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentLength = 0;
    }

    public static Digest ParseDigest(string text) =>
        Digest.TryParse(text, out var digest) ? digest : throw DistributionException.DigestInvalid($"invalid digest \"{text}\": expected sha256:<64 hex> or sha512:<128 hex>");
}
