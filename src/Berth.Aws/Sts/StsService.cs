using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using Berth.Aws.Accounts;
using Berth.Aws.Endpoint;
using Berth.Aws.Iam;
using Microsoft.AspNetCore.Http;

namespace Berth.Aws.Sts;

/// <summary>AWS Security Token Service (Query protocol, version 2011-06-15): who the caller is, and role sessions.</summary>
public sealed partial class StsService(IamDirectory directory, AccessKeys keys, IdentityAuthorizer authorizer, TimeProvider time) : IAwsService
{
    private const string Namespace = "https://sts.amazonaws.com/doc/2011-06-15/";
    private const string Version = "2011-06-15";

    /// <summary>The actions served; the compatibility table lists the same.</summary>
    public static readonly IReadOnlyList<string> Actions = ["GetCallerIdentity", "AssumeRole"];

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
        var sessionName = parameters.GetValueOrDefault("RoleSessionName") ?? throw Missing("roleSessionName");
        if (sessionName.Length is < 2 or > 64 || !SessionNameRegex().IsMatch(sessionName))
        {
            throw new AwsException("ValidationError", $"1 validation error detected: Value '{sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
        }
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
        var seconds = parameters.GetValueOrDefault("DurationSeconds") is { } text
            ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : throw new AwsException("ValidationError", $"Invalid DurationSeconds {text}")
            : 3600;
        if (seconds < 900 || seconds > role.MaxSessionDuration)
        {
            throw new AwsException("ValidationError", seconds < 900
                ? $"1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"
                : "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        }
        var session = await keys.CreateSessionAsync(caller.AccountId, role.RoleName, role.RoleId, sessionName, time.GetUtcNow().AddSeconds(seconds), cancellationToken);
        return xml =>
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
        };
    }

    private static AwsException Missing(string member) =>
        new("ValidationError", $"1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null");

    [GeneratedRegex(@"^[\w+=,.@-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SessionNameRegex();
}
