using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Berth.Registry.Distribution;

/// <summary>
/// The OCI distribution API at <c>/v2/</c> on the AWS port. Every request must carry Basic credentials the
/// authenticator accepts (ECR's <c>AWS</c> and a <c>get-login-password</c> password); without them it gets 401
/// and the <c>WWW-Authenticate</c> challenge that makes <c>podman login</c> and <c>docker login</c> send them.
/// </summary>
public sealed class RegistryEndpoint(IRegistryAuthenticator authenticator)
{
    public const string Realm = "Berth ECR";

    public async Task HandleAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        context.Response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
        if (await AuthenticateAsync(context.Request, cancellationToken) is null)
        {
            context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{Realm}\"";
            await DistributionErrors.WriteAsync(context.Response, StatusCodes.Status401Unauthorized, "UNAUTHORIZED", "authentication required", cancellationToken);
            return;
        }
        if (context.Request.Path == "/v2" || context.Request.Path == "/v2/")
        {
            // the API version check: the registry speaks the distribution API to this caller
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{}", cancellationToken);
            return;
        }
        await DistributionErrors.WriteAsync(context.Response, StatusCodes.Status405MethodNotAllowed, "UNSUPPORTED", "the operation is unsupported", cancellationToken);
    }

    private async Task<RegistryPrincipal?> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
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
        return colon < 0 ? null : await authenticator.AuthenticateAsync(credentials[..colon], credentials[(colon + 1)..], cancellationToken);
    }
}
