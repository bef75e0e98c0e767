using System.Net;
using System.Xml;
using Berth.Aws.Endpoint;

namespace Berth.Aws.Iam;

/// <summary>IAM's policy actions: customer managed policies, their attachment to users, and users' inline policies.</summary>
internal sealed class IamPolicyActions(IamDirectory directory, TimeProvider time)
{
    public Task<Action<XmlWriter>> HandleAsync(string action, string account, Dictionary<string, string> parameters, CancellationToken cancellationToken) => action switch
    {
        "CreatePolicy" => CreatePolicyAsync(account, parameters, cancellationToken),
        "GetPolicy" => GetPolicyAsync(account, parameters, cancellationToken),
        "GetPolicyVersion" => GetPolicyVersionAsync(account, parameters, cancellationToken),
        "ListPolicies" => ListPoliciesAsync(account, parameters, cancellationToken),
        "DeletePolicy" => DeletePolicyAsync(account, parameters, cancellationToken),
        "AttachUserPolicy" => AttachUserPolicyAsync(account, parameters, cancellationToken),
        "DetachUserPolicy" => DetachUserPolicyAsync(account, parameters, cancellationToken),
        "ListAttachedUserPolicies" => ListAttachedUserPoliciesAsync(account, parameters, cancellationToken),
        "PutUserPolicy" => PutUserPolicyAsync(account, parameters, cancellationToken),
        "GetUserPolicy" => GetUserPolicyAsync(account, parameters, cancellationToken),
        "ListUserPolicies" => ListUserPoliciesAsync(account, parameters, cancellationToken),
        _ => DeleteUserPolicyAsync(account, parameters, cancellationToken),
    };

    private async Task<Action<XmlWriter>> CreatePolicyAsync(string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var policy = new ManagedPolicy
        {
            AccountId = account,
            PolicyName = IamService.Name(parameters, "PolicyName", 128),
            PolicyId = IamDirectory.NewId("ANPA"),
            Document = Document(parameters),
            Description = parameters.GetValueOrDefault("Description"),
            CreateDate = time.GetUtcNow(),
        };
        await directory.CreatePolicyAsync(policy, cancellationToken);
        return xml => IamXml.Policy(xml, policy, 0);
    }

    private async Task<Action<XmlWriter>> GetPolicyAsync(string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var policy = await directory.GetPolicyAsync(account, Arn(parameters), cancellationToken);
        var attachments = await AttachmentsAsync(account, policy.Arn, cancellationToken);
        return xml => IamXml.Policy(xml, policy, attachments);
    }

    private async Task<Action<XmlWriter>> GetPolicyVersionAsync(string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var policy = await directory.GetPolicyAsync(account, Arn(parameters), cancellationToken);
        if (parameters.GetValueOrDefault("VersionId") is not "v1")
        {
            throw new AwsException("NoSuchEntity", $"Policy {policy.Arn} version {parameters.GetValueOrDefault("VersionId")} does not exist or is not attachable.", 404);
        }
        return xml =>
        {
            xml.WriteStartElement("PolicyVersion");
            // IAM answers policy documents URL-encoded
            xml.WriteElementString("Document", WebUtility.UrlEncode(policy.Document));
            xml.WriteElementString("VersionId", "v1");
            xml.WriteElementString("IsDefaultVersion", "true");
            xml.WriteElementString("CreateDate", IamXml.Date(policy.CreateDate));
            xml.WriteEndElement();
        };
    }

    private async Task<Action<XmlWriter>> ListPoliciesAsync(string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var scope = parameters.GetValueOrDefault("Scope") ?? "All";
        var policies = (scope is "All" or "AWS" ? AwsManagedPolicies.All : [])
            .Concat(scope is "All" or "Local" ? await directory.ListPoliciesAsync(account, cancellationToken) : []).ToList();
        var users = await directory.ListUsersAsync(account, cancellationToken);
        var listed = policies.Select(p => (Policy: p, Attachments: users.Count(u => u.AttachedPolicies.Contains(p.Arn))))
            .Where(p => parameters.GetValueOrDefault("OnlyAttached") != "true" || p.Attachments > 0).ToList();
        return xml => IamXml.List(xml, "Policies", listed, (x, p) => IamXml.Policy(x, p.Policy, p.Attachments, "member"));
    }

    private async Task<Action<XmlWriter>> DeletePolicyAsync(string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var policy = await directory.GetPolicyAsync(account, Arn(parameters), cancellationToken);
        if (policy.AccountId is null)
        {
            throw new AwsException("AccessDenied", $"Cannot delete the AWS managed policy {policy.Arn}.", 403);
        }
        if (await AttachmentsAsync(account, policy.Arn, cancellationToken) > 0)
        {
            throw new AwsException("DeleteConflict", "Cannot delete a policy attached to entities.", 409);
        }
        await directory.DeletePolicyAsync(policy, cancellationToken);
        return _ => { };
    }

    private async Task<Action<XmlWriter>> AttachUserPolicyAsync(string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var policy = await directory.GetPolicyAsync(account, Arn(parameters), cancellationToken);
        await directory.UpdateUserAsync(account, IamService.Name(parameters, "UserName"),
            u => u.AttachedPolicies.Contains(policy.Arn) ? u : u with { AttachedPolicies = [.. u.AttachedPolicies, policy.Arn] }, cancellationToken);
        return _ => { };
    }

    private async Task<Action<XmlWriter>> DetachUserPolicyAsync(string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var arn = Arn(parameters);
        var name = IamService.Name(parameters, "UserName");
        await directory.UpdateUserAsync(account, name, u => u.AttachedPolicies.Contains(arn)
            ? u with { AttachedPolicies = u.AttachedPolicies.Where(a => a != arn).ToList() }
            : throw new AwsException("NoSuchEntity", $"Policy {arn} was not found.", 404), cancellationToken);
        return _ => { };
    }

    private async Task<Action<XmlWriter>> ListAttachedUserPoliciesAsync(string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var user = await directory.GetUserAsync(account, IamService.Name(parameters, "UserName"), cancellationToken);
        return xml => IamXml.List(xml, "AttachedPolicies", user.AttachedPolicies, (x, arn) =>
        {
            x.WriteStartElement("member");
            x.WriteElementString("PolicyName", arn[(arn.LastIndexOf('/') + 1)..]);
            x.WriteElementString("PolicyArn", arn);
            x.WriteEndElement();
        });
    }

    private async Task<Action<XmlWriter>> PutUserPolicyAsync(string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var policyName = IamService.Name(parameters, "PolicyName", 128);
        var document = Document(parameters);
        await directory.UpdateUserAsync(account, IamService.Name(parameters, "UserName"),
            u => u with { InlinePolicies = new Dictionary<string, string>(u.InlinePolicies) { [policyName] = document } }, cancellationToken);
        return _ => { };
    }

    private async Task<Action<XmlWriter>> GetUserPolicyAsync(string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var user = await directory.GetUserAsync(account, IamService.Name(parameters, "UserName"), cancellationToken);
        var policyName = IamService.Name(parameters, "PolicyName", 128);
        var document = user.InlinePolicies.GetValueOrDefault(policyName) ?? throw NoInlinePolicy(policyName);
        return xml =>
        {
            xml.WriteElementString("UserName", user.UserName);
            xml.WriteElementString("PolicyName", policyName);
            xml.WriteElementString("PolicyDocument", WebUtility.UrlEncode(document));
        };
    }

    private async Task<Action<XmlWriter>> ListUserPoliciesAsync(string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var user = await directory.GetUserAsync(account, IamService.Name(parameters, "UserName"), cancellationToken);
        return xml => IamXml.List(xml, "PolicyNames", user.InlinePolicies.Keys.Order(StringComparer.Ordinal), (x, n) => x.WriteElementString("member", n));
    }

    private async Task<Action<XmlWriter>> DeleteUserPolicyAsync(string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var name = IamService.Name(parameters, "UserName");
        var policyName = IamService.Name(parameters, "PolicyName", 128);
        await directory.UpdateUserAsync(account, name, u => u.InlinePolicies.ContainsKey(policyName)
            ? u with { InlinePolicies = u.InlinePolicies.Where(p => p.Key != policyName).ToDictionary(StringComparer.Ordinal) }
            : throw NoInlinePolicy(policyName), cancellationToken);
        return _ => { };
    }

    private async Task<int> AttachmentsAsync(string account, string arn, CancellationToken cancellationToken) =>
        (await directory.ListUsersAsync(account, cancellationToken)).Count(u => u.AttachedPolicies.Contains(arn));

    private static string Arn(Dictionary<string, string> parameters) => parameters.GetValueOrDefault("PolicyArn") ?? throw IamService.Missing("policyArn");

    /// <summary>The policy document, checked as IAM checks identity policies.</summary>
    private static string Document(Dictionary<string, string> parameters)
    {
        var document = parameters.GetValueOrDefault("PolicyDocument") ?? throw IamService.Missing("policyDocument");
        try
        {
            PolicyDocument.Parse(document, resourcePolicy: false);
        }
        catch (FormatException e)
        {
            throw new AwsException("MalformedPolicyDocument", $"The policy is malformed: {e.Message}");
        }
        return document;
    }

    private static AwsException NoInlinePolicy(string policy) =>
        new("NoSuchEntity", $"The user policy with name {policy} cannot be found.", 404);
}
