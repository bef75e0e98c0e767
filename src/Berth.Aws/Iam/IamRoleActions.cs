using System.Globalization;
using System.Xml;
using Berth.Aws.Endpoint;

namespace Berth.Aws.Iam;

/// <summary>IAM's role actions: roles, whom they trust, and their removal.</summary>
internal sealed class IamRoleActions(IamDirectory directory, TimeProvider time)
{
    public Task<Action<XmlWriter>> HandleAsync(string action, string account, Dictionary<string, string> parameters, CancellationToken cancellationToken) => action switch
    {
        "CreateRole" => CreateRoleAsync(account, parameters, cancellationToken),
        "GetRole" => GetRoleAsync(account, parameters, cancellationToken),
        "ListRoles" => ListRolesAsync(account, cancellationToken),
        "UpdateAssumeRolePolicy" => UpdateAssumeRolePolicyAsync(account, parameters, cancellationToken),
        _ => DeleteRoleAsync(account, parameters, cancellationToken),
    };

    private async Task<Action<XmlWriter>> CreateRoleAsync(string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var duration = parameters.GetValueOrDefault("MaxSessionDuration") is { } text
            ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 3600 and <= 43200 ? seconds
                : throw new AwsException("ValidationError", $"1 validation error detected: Value '{text}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value between 3600 and 43200")
            : 3600;
        var role = new IamRole
        {
            AccountId = account,
            RoleName = IamService.Name(parameters, "RoleName"),
            RoleId = IamDirectory.NewId("AROA"),
            AssumeRolePolicyDocument = TrustPolicy(parameters),
            Description = parameters.GetValueOrDefault("Description"),
            MaxSessionDuration = duration,
            CreateDate = time.GetUtcNow(),
            Tags = IamService.Tags(parameters),
        };
        await directory.CreateRoleAsync(role, cancellationToken);
        return xml => IamXml.Role(xml, role);
    }

    private async Task<Action<XmlWriter>> GetRoleAsync(string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var role = await directory.GetRoleAsync(account, IamService.Name(parameters, "RoleName"), cancellationToken);
        return xml => IamXml.Role(xml, role);
    }

    private async Task<Action<XmlWriter>> ListRolesAsync(string account, CancellationToken cancellationToken)
    {
        var roles = await directory.ListRolesAsync(account, cancellationToken);
        return xml => IamXml.List(xml, "Roles", roles, (x, r) => IamXml.Role(x, r, "member"));
    }

    private async Task<Action<XmlWriter>> UpdateAssumeRolePolicyAsync(string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var document = TrustPolicy(parameters);
        await directory.UpdateRoleAsync(account, IamService.Name(parameters, "RoleName"), r => r with { AssumeRolePolicyDocument = document }, cancellationToken);
        return _ => { };
    }

    /// <summary>Refused while policies are attached to the role or inline in it, as IAM refuses it.</summary>
    private async Task<Action<XmlWriter>> DeleteRoleAsync(string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var role = await directory.GetRoleAsync(account, IamService.Name(parameters, "RoleName"), cancellationToken);
        if (role.AttachedPolicies.Count > 0 || role.InlinePolicies.Count > 0)
        {
            throw new AwsException("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409);
        }
        await directory.DeleteRoleAsync(account, role.RoleName, cancellationToken);
        return _ => { };
    }

    /// <summary>The trust policy, a resource policy: every statement names its principals.</summary>
    private static string TrustPolicy(Dictionary<string, string> parameters)
    {
        var document = parameters.GetValueOrDefault("AssumeRolePolicyDocument") ?? parameters.GetValueOrDefault("PolicyDocument")
            ?? throw IamService.Missing("assumeRolePolicyDocument");
        try
        {
            PolicyDocument.Parse(document, resourcePolicy: true);
        }
        catch (FormatException e)
        {
            throw new AwsException("MalformedPolicyDocument", $"The trust policy is malformed: {e.Message}");
        }
        return document;
    }
}
