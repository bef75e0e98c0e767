using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using Berth.Aws.Accounts;
using Berth.Aws.Endpoint;
using Berth.Aws.Iam;
using Berth.Kube.Authentication;
using Microsoft.AspNetCore.Http;

namespace Berth.Aws.Sts;

/// <summary>AWS Security Token Service (Query protocol, version 2011-06-15): who the caller is, and role sessions.</summary>
public sealed partial class StsService(IamDirectory directory, AccessKeys keys, IdentityAuthorizer authorizer, ServiceAccountTokens webIdentities, TimeProvider time)
    : IAwsService, IUnsignedActions
{
    private const string Namespace = "https://sts.amazonaws.com/doc/2011-06-15/";
    private const string Version = "2011-06-15";

    /// <summary>The actions served; the compatibility table lists the same.</summary>
    public static readonly IReadOnlyList<string> Actions = ["GetCallerIdentity", "AssumeRole", "AssumeRoleWithWebIdentity"];

    public string SigningName => "sts";

    public AwsProtocol Protocol => AwsProtocol.Query;

    public async Task HandleAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var parameters = QueryProtocol.Parameters(request);
        var action = parameters.GetValueOrDefault("Action") ?? throw new AwsException("MissingAction", "Missing Action");
        Action<XmlWriter> result = action switch
        {
            "GetCallerIdentity" => CallerIdentity(request.Caller),
            "AssumeRole" => await AssumeRoleAsync(request, parameters, cancellationToken),
            "AssumeRoleWithWebIdentity" => await AssumeRoleWithWebIdentityAsync(parameters, cancellationToken),
            _ => throw new AwsException("InvalidAction", $"Could not find operation {action} for version {parameters.GetValueOrDefault("Version") ?? Version}"),
        };
        await QueryProtocol.WriteResultAsync(request.Http.Response, Namespace, action, request.RequestId, result, cancellationToken);
    }

    public Task WriteErrorAsync(HttpResponse response, AwsException failure, string requestId, CancellationToken cancellationToken) =>
        QueryProtocol.WriteErrorAsync(response, Namespace, failure, requestId, cancellationToken);

    /// <summary>Who signed the request; it needs no permission, as in AWS.</summary>
    private static Action<XmlWriter> CallerIdentity(AccessKey caller) => xml =>
    {
        xml.WriteElementString("Arn", caller.Arn);
        xml.WriteElementString("UserId", caller.UserId);
        xml.WriteElementString("Account", caller.AccountId);
    };

    /// <summary>
    /// Temporary credentials for a session of a role of the caller's account: the caller's policies must allow
    /// <c>sts:AssumeRole</c> on the role, and the role's trust policy must allow the caller.
    /// </summary>
    private async Task<Action<XmlWriter>> AssumeRoleAsync(AwsRequest request, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var caller = request.Caller;
        var roleArn = parameters.GetValueOrDefault("RoleArn") ?? throw Missing("roleArn");
        var sessionName = SessionName(parameters);
        var denied = new AwsException("AccessDenied", $"User: {caller.Arn} is not authorized to perform: sts:AssumeRole on resource: {roleArn}", 403);
        var prefix = $"arn:aws:iam::{caller.AccountId}:role/";
        if (!roleArn.StartsWith(prefix, StringComparison.Ordinal)
            || await directory.FindRoleAsync(caller.AccountId, roleArn[prefix.Length..], cancellationToken) is not { } role)
        {
            throw denied; // roles of other accounts are not modelled
        }
        if (await authorizer.RefusalAsync(caller, "sts:AssumeRole", roleArn, cancellationToken) is not null
            || PolicyDocument.Stored(role.AssumeRolePolicyDocument, resourcePolicy: true).Evaluate("sts:AssumeRole", roleArn, caller.Arn, caller.AccountId) != PolicyEffect.Allow)
        {
            throw denied;
        }
        var seconds = Duration(parameters, role);
        var session = await keys.CreateSessionAsync(caller.AccountId, role.RoleName, role.RoleId, sessionName, time.GetUtcNow().AddSeconds(seconds), cancellationToken);
        return xml => WriteSession(xml, session);
    }

    public bool Accepts(HttpRequest request, ReadOnlyMemory<byte> body) =>
        QueryProtocol.Parameters(request, body).GetValueOrDefault("Action") == "AssumeRoleWithWebIdentity";

    public async Task HandleUnsignedAsync(HttpContext context, ReadOnlyMemory<byte> body, string requestId, CancellationToken cancellationToken)
    {
        var parameters = QueryProtocol.Parameters(context.Request, body);
        var result = await AssumeRoleWithWebIdentityAsync(parameters, cancellationToken);
        await QueryProtocol.WriteResultAsync(context.Response, Namespace, "AssumeRoleWithWebIdentity", requestId, result, cancellationToken);
    }

    /// <summary>
    /// Temporary credentials for a role whose trust policy allows the web identity (signed, unexpired, by an issuer of
    /// this installation that is an OIDC provider of the role's account, for one of the provider's client ids): the
    /// policy's principal is the provider (<c>Federated</c>), and its conditions read <c>&lt;issuer&gt;:sub</c> and
    /// <c>&lt;issuer&gt;:aud</c>. The request needs no signature: the token is its credential.
    /// </summary>
    private async Task<Action<XmlWriter>> AssumeRoleWithWebIdentityAsync(Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var roleArn = parameters.GetValueOrDefault("RoleArn") ?? throw Missing("roleArn");
        var sessionName = SessionName(parameters);
        var token = parameters.GetValueOrDefault("WebIdentityToken") ?? throw Missing("webIdentityToken");
        var identity = await webIdentities.ValidateForAnyAudienceAsync(token)
            ?? throw new AwsException("InvalidIdentityToken", "The web identity token is not valid: it is malformed, expired, or not signed by a known issuer.");
        if (!roleArn.StartsWith("arn:aws:iam::", StringComparison.Ordinal) || roleArn.Split(':', 6) is not [_, _, _, _, var account, var resource]
            || !resource.StartsWith("role/", StringComparison.Ordinal) || await directory.FindRoleAsync(account, resource["role/".Length..], cancellationToken) is not { } role)
        {
            throw new AwsException("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403);
        }
        var url = identity.Issuer.StartsWith("https://", StringComparison.Ordinal) ? identity.Issuer["https://".Length..].TrimEnd('/') : identity.Issuer;
        var provider = await directory.FindOidcProviderAsync(account, url, cancellationToken)
            ?? throw new AwsException("InvalidIdentityToken", $"No OpenIDConnect provider found in your account for {identity.Issuer}");
        if (!identity.Audiences.Any(provider.ClientIds.Contains))
        {
            throw new AwsException("InvalidIdentityToken", "Incorrect token audience");
        }
        var audience = identity.Audiences.First(provider.ClientIds.Contains);
        var context = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [$"{url}:sub"] = identity.Subject,
            [$"{url}:aud"] = audience,
        };
        if (PolicyDocument.Stored(role.AssumeRolePolicyDocument, resourcePolicy: true)
            .Evaluate("sts:AssumeRoleWithWebIdentity", roleArn, provider.Arn, accountId: null, context) != PolicyEffect.Allow)
        {
            throw new AwsException("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403);
        }
        var seconds = Duration(parameters, role);
        var session = await keys.CreateSessionAsync(account, role.RoleName, role.RoleId, sessionName, time.GetUtcNow().AddSeconds(seconds), cancellationToken);
        return xml =>
        {
            WriteSession(xml, session);
            xml.WriteElementString("SubjectFromWebIdentityToken", identity.Subject);
            xml.WriteElementString("Provider", identity.Issuer);
            xml.WriteElementString("Audience", audience);
        };
    }

    private static string SessionName(Dictionary<string, string> parameters)
    {
        var sessionName = parameters.GetValueOrDefault("RoleSessionName") ?? throw Missing("roleSessionName");
        return sessionName.Length is >= 2 and <= 64 && SessionNameRegex().IsMatch(sessionName)
            ? sessionName
            : throw new AwsException("ValidationError", $"1 validation error detected: Value '{sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
    }

    private static int Duration(Dictionary<string, string> parameters, IamRole role)
    {
        var seconds = parameters.GetValueOrDefault("DurationSeconds") is { } text
            ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : throw new AwsException("ValidationError", $"Invalid DurationSeconds {text}")
            : 3600;
        return seconds < 900 || seconds > role.MaxSessionDuration
            ? throw new AwsException("ValidationError", seconds < 900
                ? $"1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"
                : "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
            : seconds;
    }

    private static void WriteSession(XmlWriter xml, AccessKey session)
    {
        xml.WriteStartElement("Credentials");
        xml.WriteElementString("AccessKeyId", session.AccessKeyId);
        xml.WriteElementString("SecretAccessKey", session.SecretAccessKey);
        xml.WriteElementString("SessionToken", session.SessionToken);
        xml.WriteElementString("Expiration", IamXml.Date(session.Expiration!.Value));
        xml.WriteEndElement();
        xml.WriteStartElement("AssumedRoleUser");
        xml.WriteElementString("AssumedRoleId", session.UserId);
        xml.WriteElementString("Arn", session.Arn);
        xml.WriteEndElement();
    }

    private static AwsException Missing(string member) =>
        new("ValidationError", $"1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null");

    [GeneratedRegex(@"^[\w+=,.@-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SessionNameRegex();
}
