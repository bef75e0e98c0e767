using System.Globalization;
using System.Text.RegularExpressions;
using Berth.Registry.Content;
using Berth.Registry.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Berth.Registry.Distribution;

/// <summary>
/// Blob uploads, <c>/v2/&lt;name&gt;/blobs/uploads/</c>: monolithic (POST with the digest), chunked (PATCH with
/// <c>Content-Range</c>, in order), streamed (PATCH without it), completed by PUT with the digest; status, cancel, and
/// cross-repository mounts. An upload belongs to the repository it was started in.
/// </summary>
internal sealed partial class UploadRequests(RepositoryContent content, IRegistryAccess access)
{
    private BlobStore Blobs => content.Blobs;

    public async Task StartAsync(HttpContext context, RegistryRepository repository, RegistryPrincipal principal)
    {
        var query = context.Request.Query;
        var cancellationToken = context.RequestAborted;
        if (query["mount"].ToString() is { Length: > 0 } mount && await TryMountAsync(context, repository, principal, mount, query["from"].ToString()))
        {
            return;
        }
        AllowLargeBody(context);
        var id = content.StartUpload(repository);
        if (query["digest"].ToString() is { Length: > 0 } digestText)
        {
            var digest = BlobRequests.ParseDigest(digestText);
            await content.CompleteUploadAsync(repository, id, digest, context.Request.Body, offset: null, cancellationToken);
            Created(context, repository, digest);
            return;
        }
        Accepted(context, repository.Name, id, 0, StatusCodes.Status202Accepted);
    }

    public async Task PatchAsync(HttpContext context, RegistryRepository repository, string id)
    {
        Own(repository, id);
        AllowLargeBody(context);
        var offset = ContentRangeStart(context.Request);
        var size = await Blobs.AppendAsync(id, context.Request.Body, offset, context.RequestAborted);
        Accepted(context, repository.Name, id, size, StatusCodes.Status202Accepted);
    }

    public async Task PutAsync(HttpContext context, RegistryRepository repository, string id)
    {
        Own(repository, id);
        AllowLargeBody(context);
        var digestText = context.Request.Query["digest"].ToString();
        if (digestText.Length == 0)
        {
            throw DistributionException.DigestInvalid("the upload's digest query parameter is missing");
        }
        var digest = BlobRequests.ParseDigest(digestText);
        var offset = ContentRangeStart(context.Request);
        var body = context.Request.ContentLength == 0 ? null : context.Request.Body;
        await content.CompleteUploadAsync(repository, id, digest, body, offset, context.RequestAborted);
        Created(context, repository, digest);
    }

    public Task StatusAsync(HttpContext context, RegistryRepository repository, string id)
    {
        var size = Own(repository, id);
        Accepted(context, repository.Name, id, size, StatusCodes.Status204NoContent);
        return Task.CompletedTask;
    }

    public async Task CancelAsync(HttpContext context, RegistryRepository repository, string id)
    {
        Own(repository, id);
        await Blobs.CancelUploadAsync(id, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>Links a blob of another repository the caller may pull from; otherwise the client uploads it as usual.</summary>
    private async Task<bool> TryMountAsync(HttpContext context, RegistryRepository repository, RegistryPrincipal principal, string mount, string from)
    {
        var digest = BlobRequests.ParseDigest(mount);
        var cancellationToken = context.RequestAborted;
        RegistryRepository? source;
        try
        {
            source = RegistryRepository.IsValidName(from) ? await access.FindRepositoryAsync(principal, from, RegistryAction.Pull, cancellationToken) : null;
        }
        catch (RegistryAccessDeniedException)
        {
            source = null;
        }
        if (source is null || await content.FindBlobAsync(source, digest, cancellationToken) is null
            || !await content.LinkBlobAsync(repository, digest, cancellationToken))
        {
            return false;
        }
        Created(context, repository, digest);
        return true;
    }

    /// <summary>The upload's size; an upload started in another repository is unknown here.</summary>
    private long Own(RegistryRepository repository, string id)
    {
        if (content.UploadSize(repository, id) is not { } size)
        {
            throw new DistributionException(StatusCodes.Status404NotFound, "BLOB_UPLOAD_UNKNOWN", $"blob upload {id} is unknown to the repository");
        }
        return size;
    }

    /// <summary>A chunk's start from its <c>Content-Range: &lt;start&gt;-&lt;end&gt;</c>, checked against its length.</summary>
    private static long? ContentRangeStart(HttpRequest request)
    {
        var header = request.Headers.ContentRange.ToString();
        if (header.Length == 0)
        {
            return null;
        }
        var match = ContentRangeRegex().Match(header);
        if (!match.Success
            || !long.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            || !long.TryParse(match.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var end)
            || end < start || (request.ContentLength is { } length && length != end - start + 1))
        {
            throw new DistributionException(StatusCodes.Status416RangeNotSatisfiable, "BLOB_UPLOAD_INVALID",
                $"Content-Range \"{header}\" is not <start>-<end> matching the chunk's length");
        }
        return start;
    }

    private static void AllowLargeBody(HttpContext context)
    {
        // a layer may be gigabytes; the server's default request limit is for API calls
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
    }

    private static void Created(HttpContext context, RegistryRepository repository, Digest digest)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status201Created;
        response.Headers.Location = $"/v2/{repository.Name}/blobs/{digest}";
        response.Headers["Docker-Content-Digest"] = digest.ToString();
        response.ContentLength = 0;
    }

    /// <summary>An upload in progress: where to send the next chunk and the bytes received so far.</summary>
    internal static void Accepted(HttpContext context, string repository, string id, long size, int status)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.Headers.Location = $"/v2/{repository}/blobs/uploads/{id}";
        response.Headers.Range = RangeOf(size);
        response.Headers["Docker-Upload-UUID"] = id;
        response.ContentLength = 0;
    }

    /// <summary>The received bytes as <c>0-&lt;last&gt;</c>; an empty upload is written <c>0-0</c>, as the reference registry does.</summary>
    internal static string RangeOf(long size) => $"0-{Math.Max(0, size - 1)}";

    [GeneratedRegex(@"^(?:bytes[ =])?(\d+)-(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex ContentRangeRegex();
}
