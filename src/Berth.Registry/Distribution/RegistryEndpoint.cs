using System.Net.Http.Headers;
using System.Text;
using Berth.Registry.Content;
using Berth.Registry.Storage;
using Microsoft.AspNetCore.Http;

namespace Berth.Registry.Distribution;

/// <summary>
/// The OCI distribution API at <c>/v2/</c> on the AWS port. Every request must carry credentials the registry's access
/// accepts: Basic with ECR's <c>AWS</c> and a <c>get-login-password</c> password, or a bearer token from the
/// distribution token flow's endpoint, <c>/v2/token</c>. Without them it gets 401 and two challenges: Basic first, as
/// ECR's, which <c>podman login</c> and <c>docker login</c> answer, then Bearer for clients that only fetch tokens.
/// Then the path names the operation and the repository, which the caller must reach for what the method does.
/// </summary>
internal sealed class RegistryEndpoint(
    IRegistryAccess access, BlobRequests blobRequests, UploadRequests uploadRequests, ManifestRequests manifestRequests,
    TagRequests tagRequests, ReferrerRequests referrerRequests, TokenRequests tokenRequests)
{
    public const string Realm = "Berth ECR";

    public async Task HandleAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        context.Response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
        var authenticated = await AuthenticateAsync(context.Request, cancellationToken);
        if (authenticated is not var (principal, secret))
        {
            var request = context.Request;
            context.Response.Headers.WWWAuthenticate = new([
                $"Basic realm=\"{Realm}\"",
                $"Bearer realm=\"{request.Scheme}://{request.Host}{TokenRequests.Path}\",service=\"{TokenRequests.Service}\""]);
            await DistributionErrors.WriteAsync(context.Response, StatusCodes.Status401Unauthorized, "UNAUTHORIZED", "authentication required", cancellationToken);
            return;
        }
        var route = DistributionRoute.Parse(context.Request.Path.Value ?? "");
        if (route is { Kind: RouteKind.Token })
        {
            await tokenRequests.IssueAsync(context, secret);
            return;
        }
        try
        {
            await DispatchAsync(context, principal, route);
        }
        catch (DistributionException e)
        {
            foreach (var (name, value) in e.Headers)
            {
                context.Response.Headers[name] = value;
            }
            await DistributionErrors.WriteAsync(context.Response, e.Status, e.Code, e.Message, cancellationToken);
        }
        catch (ContentException e)
        {
            var (status, code) = ErrorOf(e.Error);
            await DistributionErrors.WriteAsync(context.Response, status, code, e.Message, cancellationToken);
        }
        catch (BlobStoreException e)
        {
            var (status, code) = ErrorOf(e.Error);
            if (e.UploadSize is { } size && route is { Kind: RouteKind.Upload } upload)
            {
                UploadRequests.Accepted(context, upload.Name, upload.Argument, size, status);
                context.Response.ContentLength = null;
            }
            await DistributionErrors.WriteAsync(context.Response, status, code, e.Message, cancellationToken);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            // the body ended before its declared length, or broke a limit
            await DistributionErrors.WriteAsync(context.Response, e.StatusCode, "BLOB_UPLOAD_INVALID", e.Message, cancellationToken);
        }
        catch (RegistryAccessDeniedException e)
        {
            await DistributionErrors.WriteAsync(context.Response, StatusCodes.Status403Forbidden, "DENIED", e.Message, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the client went away; an unfinished chunk was rolled back
        }
    }

    private async Task DispatchAsync(HttpContext context, RegistryPrincipal principal, DistributionRoute? parsed)
    {
        var method = context.Request.Method;
        if (parsed is not { } route)
        {
            throw new DistributionException(StatusCodes.Status404NotFound, "NOT_FOUND", $"{context.Request.Path} is not a distribution API path");
        }
        if (route.Kind == RouteKind.VersionCheck)
        {
            // the API version check: the registry speaks the distribution API to this caller
            Allow(method, HttpMethods.Get, HttpMethods.Head);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{}", context.RequestAborted);
            return;
        }
        var allowed = route.Kind switch
        {
            RouteKind.TagList or RouteKind.Referrers => [HttpMethods.Get],
            RouteKind.UploadStart => [HttpMethods.Post],
            RouteKind.Upload => [HttpMethods.Get, HttpMethods.Patch, HttpMethods.Put, HttpMethods.Delete],
            RouteKind.Blob => [HttpMethods.Get, HttpMethods.Head, HttpMethods.Delete],
            _ => new[] { HttpMethods.Get, HttpMethods.Head, HttpMethods.Put, HttpMethods.Delete },
        };
        Allow(method, allowed);
        if (!RegistryRepository.IsValidName(route.Name))
        {
            throw new DistributionException(StatusCodes.Status400BadRequest, "NAME_INVALID", $"invalid repository name \"{route.Name}\"");
        }
        var action = HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? RegistryAction.Pull
            : HttpMethods.IsDelete(method) && route.Kind != RouteKind.Upload ? RegistryAction.Delete
            : RegistryAction.Push;
        var repository = await access.FindRepositoryAsync(principal, route.Name, action, context.RequestAborted)
            ?? throw DistributionException.NameUnknown(route.Name);

        switch (route.Kind, method)
        {
            case (RouteKind.TagList, _):
                await tagRequests.ListAsync(context, repository);
                break;
            case (RouteKind.Referrers, _):
                await referrerRequests.ListAsync(context, repository, route.Argument);
                break;
            case (RouteKind.UploadStart, _):
                await uploadRequests.StartAsync(context, repository, principal);
                break;
            case (RouteKind.Upload, "GET"):
                await uploadRequests.StatusAsync(context, repository, route.Argument);
                break;
            case (RouteKind.Upload, "PATCH"):
                await uploadRequests.PatchAsync(context, repository, route.Argument);
                break;
            case (RouteKind.Upload, "PUT"):
                await uploadRequests.PutAsync(context, repository, route.Argument);
                break;
            case (RouteKind.Upload, _):
                await uploadRequests.CancelAsync(context, repository, route.Argument);
                break;
            case (RouteKind.Blob, "DELETE"):
                await blobRequests.DeleteAsync(context, repository, route.Argument);
                break;
            case (RouteKind.Blob, _):
                await blobRequests.GetAsync(context, repository, route.Argument);
                break;
            case (RouteKind.Manifest, "PUT"):
                await manifestRequests.PutAsync(context, repository, route.Argument);
                break;
            case (RouteKind.Manifest, "DELETE"):
                await manifestRequests.DeleteAsync(context, repository, route.Argument);
                break;
            default:
                await manifestRequests.GetAsync(context, repository, route.Argument);
                break;
        }
    }

    private static void Allow(string method, params string[] allowed)
    {
        if (!allowed.Any(a => string.Equals(a, method, StringComparison.OrdinalIgnoreCase)))
        {
            throw new DistributionException(StatusCodes.Status405MethodNotAllowed, "UNSUPPORTED", $"{method} is not supported here")
            {
                Headers = { ["Allow"] = string.Join(", ", allowed) },
            };
        }
    }

    private static (int Status, string Code) ErrorOf(ContentError error) => error switch
    {
        ContentError.ManifestInvalid => (StatusCodes.Status400BadRequest, "MANIFEST_INVALID"),
        ContentError.ManifestBlobUnknown or ContentError.ReferencedManifestUnknown => (StatusCodes.Status400BadRequest, "MANIFEST_BLOB_UNKNOWN"),
        ContentError.ManifestUnknown => (StatusCodes.Status404NotFound, "MANIFEST_UNKNOWN"),
        ContentError.DigestInvalid => (StatusCodes.Status400BadRequest, "DIGEST_INVALID"),
        ContentError.TagInvalid => (StatusCodes.Status400BadRequest, "TAG_INVALID"),
        _ => (StatusCodes.Status409Conflict, "TAG_INVALID"),
    };

    private static (int Status, string Code) ErrorOf(BlobStoreError error) => error switch
    {
        BlobStoreError.UploadUnknown => (StatusCodes.Status404NotFound, "BLOB_UPLOAD_UNKNOWN"),
        BlobStoreError.RangeInvalid => (StatusCodes.Status416RangeNotSatisfiable, "BLOB_UPLOAD_INVALID"),
        BlobStoreError.DigestMismatch => (StatusCodes.Status400BadRequest, "DIGEST_INVALID"),
        _ => (StatusCodes.Status400BadRequest, "BLOB_UPLOAD_INVALID"),
    };

    /// <summary>
    /// The caller of Basic credentials, or of a bearer token, with the password or token it showed: the token endpoint
    /// hands out the login's password as the token (it is signed and expires on its own), so a token is checked as
    /// the password of the user <c>AWS</c>.
    /// </summary>
    private async Task<(RegistryPrincipal Principal, string Secret)?> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header) || header.Parameter is null)
        {
            return null;
        }
        var (user, secret) = string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
            ? (TokenRequests.User, header.Parameter)
            : BasicCredentials(header) ?? ("", "");
        return secret.Length > 0 && await access.AuthenticateAsync(user, secret, cancellationToken) is { } principal ? (principal, secret) : null;
    }

    private static (string User, string Password)? BasicCredentials(AuthenticationHeaderValue header)
    {
        if (!string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
        {
            return null;
        }
        string credentials;
        try
        {
            credentials = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
        }
        catch (FormatException)
        {
            return null;
        }
        var colon = credentials.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? null : (credentials[..colon], credentials[(colon + 1)..]);
    }
}
