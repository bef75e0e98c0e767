using System.Text.RegularExpressions;
using System.Xml;
using Berth.Aws.Accounts;
using Berth.Aws.Endpoint;
using Microsoft.AspNetCore.Http;

namespace Berth.Aws.Iam;

/// <summary>
/// AWS Identity and Access Management (Query protocol, version 2010-05-08): users, their access keys, roles, managed and
/// inline policies, OpenID Connect providers. Every action is authorized by the caller's own identity-based policies first.
/// </summary>
internal sealed partial class IamService(
    IamDirectory directory, AccessKeys keys, IdentityAuthorizer authorizer, IamPolicyActions policies, IamRoleActions roles, IamOidcActions oidc,
    TimeProvider time) : IAwsService
{
    private const string Namespace = "https://iam.amazonaws.com/doc/2010-05-08/";
    private const string Version = "2010-05-08";

    /// <summary>The actions served; the compatibility table lists the same.</summary>
    public static readonly IReadOnlyList<string> Actions =
    [
        "CreateUser", "GetUser", "ListUsers", "DeleteUser", "CreateAccessKey", "ListAccessKeys", "DeleteAccessKey",
        "CreatePolicy", "GetPolicy", "GetPolicyVersion", "ListPolicies", "DeletePolicy",
        "AttachUserPolicy", "DetachUserPolicy", "ListAttachedUserPolicies", "PutUserPolicy", "GetUserPolicy", "ListUserPolicies", "DeleteUserPolicy",
        "CreateRole", "GetRole", "ListRoles", "UpdateAssumeRolePolicy", "DeleteRole",
        "AttachRolePolicy", "DetachRolePolicy", "ListAttachedRolePolicies", "PutRolePolicy", "GetRolePolicy", "ListRolePolicies", "DeleteRolePolicy",
        "CreateOpenIDConnectProvider", "GetOpenIDConnectProvider", "ListOpenIDConnectProviders", "DeleteOpenIDConnectProvider",
    ];

    private static readonly HashSet<string> s_roleActions = ["CreateRole", "GetRole", "ListRoles", "UpdateAssumeRolePolicy", "DeleteRole"];

    public string SigningName => "iam";

    public AwsProtocol Protocol => AwsProtocol.Query;

    public async Task HandleAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var parameters = QueryProtocol.Parameters(request);
        var action = parameters.GetValueOrDefault("Action") ?? throw new AwsException("MissingAction", "Missing Action");
        if (!Actions.Contains(action))
        {
            throw new AwsException("InvalidAction", $"Could not find operation {action} for version {parameters.GetValueOrDefault("Version") ?? Version}");
        }
        var account = request.Caller.AccountId;
        var resource = ResourceOf(action, account, parameters, request.Caller);
        if (await authorizer.RefusalAsync(request.Caller, "iam:" + action, resource, cancellationToken) is { } refusal)
        {
            throw new AwsException("AccessDenied", refusal, 403);
        }
        Action<XmlWriter> result = action switch
        {
            "CreateUser" => await CreateUserAsync(account, parameters, cancellationToken),
            "GetUser" => await GetUserAsync(request, parameters, cancellationToken),
            "ListUsers" => ListUsers(await directory.ListUsersAsync(account, cancellationToken)),
            "DeleteUser" => await DeleteUserAsync(account, parameters, cancellationToken),
            "CreateAccessKey" => await CreateAccessKeyAsync(request, parameters, cancellationToken),
            "ListAccessKeys" => await ListAccessKeysAsync(request, parameters, cancellationToken),
            "DeleteAccessKey" => await DeleteAccessKeyAsync(request, parameters, cancellationToken),
            _ when s_roleActions.Contains(action) => await roles.HandleAsync(action, account, parameters, cancellationToken),
            _ when IamOidcActions.Actions.Contains(action) => await oidc.HandleAsync(action, account, parameters, cancellationToken),
            _ => await policies.HandleAsync(action, account, parameters, cancellationToken),
        };
        await QueryProtocol.WriteResultAsync(request.Http.Response, Namespace, action, request.RequestId, result, cancellationToken);
    }

    /// <summary>What an action acts on, for the caller's policies: the role, the user, or the managed policy it names.</summary>
    private static string ResourceOf(string action, string account, Dictionary<string, string> parameters, AccessKey caller) =>
        parameters.GetValueOrDefault("RoleName") is { } role ? $"arn:aws:iam::{account}:role/{role}"
        : parameters.GetValueOrDefault("UserName") is { } user ? $"arn:aws:iam::{account}:user/{user}"
        : parameters.GetValueOrDefault("PolicyArn") is { } policy ? policy
        : parameters.GetValueOrDefault("OpenIDConnectProviderArn") is { } provider ? provider
        : action.Contains("User", StringComparison.Ordinal) || action.Contains("AccessKey", StringComparison.Ordinal) ? caller.Arn
        : "*";

    public Task WriteErrorAsync(HttpResponse response, AwsException failure, string requestId, CancellationToken cancellationToken) =>
        QueryProtocol.WriteErrorAsync(response, Namespace, failure, requestId, cancellationToken);

    private async Task<Action<XmlWriter>> CreateUserAsync(string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var user = new IamUser
        {
            AccountId = account,
            UserName = Name(parameters, "UserName"),
            UserId = IamDirectory.NewId("AIDA"),
            CreateDate = time.GetUtcNow(),
            Tags = Tags(parameters),
        };
        await directory.CreateUserAsync(user, cancellationToken);
        return xml => IamXml.User(xml, user);
    }

    /// <summary>The named user, or without a name the caller (the root user answers as itself).</summary>
    private async Task<Action<XmlWriter>> GetUserAsync(AwsRequest request, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var name = parameters.GetValueOrDefault("UserName") ?? request.Caller.UserName;
        if (name is null)
        {
            var caller = request.Caller;
            return xml =>
            {
                xml.WriteStartElement("User");
                xml.WriteElementString("UserId", caller.AccountId);
                xml.WriteElementString("Arn", caller.Arn);
                xml.WriteElementString("CreateDate", IamXml.Date(caller.CreateDate));
                xml.WriteEndElement();
            };
        }
        var user = await directory.GetUserAsync(request.Caller.AccountId, name, cancellationToken);
        return xml => IamXml.User(xml, user);
    }

    private static Action<XmlWriter> ListUsers(List<IamUser> users) => xml => IamXml.List(xml, "Users", users, (x, u) => IamXml.User(x, u, "member"));

    /// <summary>Refused while the user has access keys or policies, as IAM refuses it.</summary>
    private async Task<Action<XmlWriter>> DeleteUserAsync(string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var user = await directory.GetUserAsync(account, Name(parameters, "UserName"), cancellationToken);
        var conflict = (await keys.ListAsync(account, user.UserName, cancellationToken)).Count > 0 ? "must delete access keys first"
            : user.AttachedPolicies.Count > 0 ? "must detach all policies first"
            : user.InlinePolicies.Count > 0 ? "must delete policies first"
            : null;
        if (conflict is not null)
        {
            throw new AwsException("DeleteConflict", $"Cannot delete entity, {conflict}.", 409);
        }
        await directory.DeleteUserAsync(account, user.UserName, cancellationToken);
        return _ => { };
    }

    private async Task<Action<XmlWriter>> CreateAccessKeyAsync(AwsRequest request, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var account = request.Caller.AccountId;
        var name = parameters.GetValueOrDefault("UserName") ?? request.Caller.UserName
            ?? throw new AwsException("ValidationError", "Berth keeps one access key for the root user; create an IAM user for more keys");
        await directory.GetUserAsync(account, name, cancellationToken);
        if ((await keys.ListAsync(account, name, cancellationToken)).Count >= AccessKeys.MaxKeysPerUser)
        {
            throw new AwsException("LimitExceeded", $"Cannot exceed quota for AccessKeysPerUser: {AccessKeys.MaxKeysPerUser}", 409);
        }
        var key = await keys.CreateAsync(account, name, cancellationToken);
        return xml =>
        {
            xml.WriteStartElement("AccessKey");
            xml.WriteElementString("UserName", name);
            xml.WriteElementString("AccessKeyId", key.AccessKeyId);
            xml.WriteElementString("Status", "Active");
            xml.WriteElementString("SecretAccessKey", key.SecretAccessKey);
            xml.WriteElementString("CreateDate", IamXml.Date(key.CreateDate));
            xml.WriteEndElement();
        };
    }

    private async Task<Action<XmlWriter>> ListAccessKeysAsync(AwsRequest request, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var account = request.Caller.AccountId;
        var name = parameters.GetValueOrDefault("UserName") ?? request.Caller.UserName;
        if (name is not null)
        {
            await directory.GetUserAsync(account, name, cancellationToken);
        }
        var list = await keys.ListAsync(account, name, cancellationToken);
        return xml => IamXml.List(xml, "AccessKeyMetadata", list, (x, key) =>
        {
            x.WriteStartElement("member");
            if (key.UserName is not null)
            {
                x.WriteElementString("UserName", key.UserName);
            }
            x.WriteElementString("AccessKeyId", key.AccessKeyId);
            x.WriteElementString("Status", "Active");
            x.WriteElementString("CreateDate", IamXml.Date(key.CreateDate));
            x.WriteEndElement();
        });
    }

    private async Task<Action<XmlWriter>> DeleteAccessKeyAsync(AwsRequest request, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var id = parameters.GetValueOrDefault("AccessKeyId") ?? throw Missing("accessKeyId");
        var name = parameters.GetValueOrDefault("UserName") ?? request.Caller.UserName;
        var key = await keys.FindAsync(id, cancellationToken);
        if (key is null || key.AccountId != request.Caller.AccountId || key.UserName != name || key.RoleName is not null)
        {
            throw new AwsException("NoSuchEntity", $"The Access Key with id {id} cannot be found.", 404);
        }
        if (key.UserName is null)
        {
            throw new AwsException("ValidationError", "The root user's access key is the installation's own; it is not deleted through IAM");
        }
        await keys.DeleteAsync(id, cancellationToken);
        return _ => { };
    }

    /// <summary>An entity name as IAM allows it: 1 to 64 (users) or 128 (policies) word characters and <c>+=,.@-</c>.</summary>
    internal static string Name(Dictionary<string, string> parameters, string member, int maxLength = 64)
    {
        var name = parameters.GetValueOrDefault(member) ?? throw Missing(char.ToLowerInvariant(member[0]) + member[1..]);
        return name.Length <= maxLength && NameRegex().IsMatch(name) ? name
            : throw new AwsException("ValidationError", $"1 validation error detected: Value '{name}' at '{char.ToLowerInvariant(member[0]) + member[1..]}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    }

    internal static AwsException Missing(string member) =>
        new("ValidationError", $"1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null");

    internal static Dictionary<string, string> Tags(Dictionary<string, string> parameters)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; parameters.TryGetValue($"Tags.member.{i}.Key", out var key); i++)
        {
            tags[key] = parameters.GetValueOrDefault($"Tags.member.{i}.Value") ?? "";
        }
        return tags;
    }

    [GeneratedRegex(@"^[\w+=,.@-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex NameRegex();
}
