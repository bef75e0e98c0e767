using System.Net;
using System.Xml;
using Berth.Aws.Endpoint;

namespace Berth.Aws.Iam;

/// <summary>IAM's policy actions: customer managed policies, their attachment to users, and users' inline policies.</summary>
internal sealed class IamPolicyActions(IamDirectory directory, TimeProvider time)
{
    public Task<Action<XmlWriter>> HandleAsync(string action, string account, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        // the attachment and inline-policy actions come in a user and a role form: AttachUserPolicy, AttachRolePolicy …
        var kind = action.Contains("Role", StringComparison.Ordinal) ? HolderKind.Role : HolderKind.User;
        var holder = new Holder(kind, account, parameters);
        return action switch
        {
            "CreatePolicy" => CreatePolicyAsync(account, parameters, cancellationToken),
            "GetPolicy" => GetPolicyAsync(account, parameters, cancellationToken),
            "GetPolicyVersion" => GetPolicyVersionAsync(account, parameters, cancellationToken),
            "ListPolicies" => ListPoliciesAsync(account, parameters, cancellationToken),
            "DeletePolicy" => DeletePolicyAsync(account, parameters, cancellationToken),
            "AttachUserPolicy" or "AttachRolePolicy" => AttachPolicyAsync(holder, cancellationToken),
            "DetachUserPolicy" or "DetachRolePolicy" => DetachPolicyAsync(holder, cancellationToken),
            "ListAttachedUserPolicies" or "ListAttachedRolePolicies" => ListAttachedPoliciesAsync(holder, cancellationToken),
            "PutUserPolicy" or "PutRolePolicy" => PutInlinePolicyAsync(holder, cancellationToken),
            "GetUserPolicy" or "GetRolePolicy" => GetInlinePolicyAsync(holder, cancellationToken),
            "ListUserPolicies" or "ListRolePolicies" => ListInlinePoliciesAsync(holder, cancellationToken),
            _ => DeleteInlinePolicyAsync(holder, cancellationToken),
        };
    }

    /// <summary>The user or role an action names, by <c>UserName</c> or <c>RoleName</c>.</summary>
    private sealed record Holder(HolderKind Kind, string Account, Dictionary<string, string> Parameters)
    {
        public string NameMember => Kind == HolderKind.User ? "UserName" : "RoleName";

        public string Name => IamService.Name(Parameters, NameMember);
    }

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
        var holders = ((IEnumerable<PolicyHolder>)await directory.ListUsersAsync(account, cancellationToken)).Concat(await directory.ListRolesAsync(account, cancellationToken)).ToList();
        var listed = policies.Select(p => (Policy: p, Attachments: holders.Count(h => h.AttachedPolicies.Contains(p.Arn))))
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

    private async Task<Action<XmlWriter>> AttachPolicyAsync(Holder holder, CancellationToken cancellationToken)
    {
        var policy = await directory.GetPolicyAsync(holder.Account, Arn(holder.Parameters), cancellationToken);
        await directory.UpdateHolderAsync(holder.Kind, holder.Account, holder.Name,
            h => h.AttachedPolicies.Contains(policy.Arn) ? h : h with { AttachedPolicies = [.. h.AttachedPolicies, policy.Arn] }, cancellationToken);
        return _ => { };
    }

    private async Task<Action<XmlWriter>> DetachPolicyAsync(Holder holder, CancellationToken cancellationToken)
    {
        var arn = Arn(holder.Parameters);
        await directory.UpdateHolderAsync(holder.Kind, holder.Account, holder.Name, h => h.AttachedPolicies.Contains(arn)
            ? h with { AttachedPolicies = h.AttachedPolicies.Where(a => a != arn).ToList() }
            : throw new AwsException("NoSuchEntity", $"Policy {arn} was not found.", 404), cancellationToken);
        return _ => { };
    }

    private async Task<Action<XmlWriter>> ListAttachedPoliciesAsync(Holder holder, CancellationToken cancellationToken)
    {
        var entity = await directory.GetHolderAsync(holder.Kind, holder.Account, holder.Name, cancellationToken);
        return xml => IamXml.List(xml, "AttachedPolicies", entity.AttachedPolicies, (x, arn) =>
        {
            x.WriteStartElement("member");
            x.WriteElementString("PolicyName", arn[(arn.LastIndexOf('/') + 1)..]);
            x.WriteElementString("PolicyArn", arn);
            x.WriteEndElement();
        });
    }

    private async Task<Action<XmlWriter>> PutInlinePolicyAsync(Holder holder, CancellationToken cancellationToken)
    {
        var policyName = IamService.Name(holder.Parameters, "PolicyName", 128);
        var document = Document(holder.Parameters);
        await directory.UpdateHolderAsync(holder.Kind, holder.Account, holder.Name,
            h => h with { InlinePolicies = new Dictionary<string, string>(h.InlinePolicies) { [policyName] = document } }, cancellationToken);
        return _ => { };
    }

    private async Task<Action<XmlWriter>> GetInlinePolicyAsync(Holder holder, CancellationToken cancellationToken)
    {
        var entity = await directory.GetHolderAsync(holder.Kind, holder.Account, holder.Name, cancellationToken);
        var policyName = IamService.Name(holder.Parameters, "PolicyName", 128);
        var document = entity.InlinePolicies.GetValueOrDefault(policyName) ?? throw NoInlinePolicy(holder.Kind, policyName);
        return xml =>
        {
            xml.WriteElementString(holder.NameMember, entity.Name);
            xml.WriteElementString("PolicyName", policyName);
            xml.WriteElementString("PolicyDocument", WebUtility.UrlEncode(document));
        };
    }

    private async Task<Action<XmlWriter>> ListInlinePoliciesAsync(Holder holder, CancellationToken cancellationToken)
    {
        var entity = await directory.GetHolderAsync(holder.Kind, holder.Account, holder.Name, cancellationToken);
        return xml => IamXml.List(xml, "PolicyNames", entity.InlinePolicies.Keys.Order(StringComparer.Ordinal), (x, n) => x.WriteElementString("member", n));
    }

    private async Task<Action<XmlWriter>> DeleteInlinePolicyAsync(Holder holder, CancellationToken cancellationToken)
    {
        var policyName = IamService.Name(holder.Parameters, "PolicyName", 128);
        await directory.UpdateHolderAsync(holder.Kind, holder.Account, holder.Name, h => h.InlinePolicies.ContainsKey(policyName)
            ? h with { InlinePolicies = h.InlinePolicies.Where(p => p.Key != policyName).ToDictionary(StringComparer.Ordinal) }
            : throw NoInlinePolicy(holder.Kind, policyName), cancellationToken);
        return _ => { };
    }

    /// <summary>How many users and roles a managed policy is attached to.</summary>
    private async Task<int> AttachmentsAsync(string account, string arn, CancellationToken cancellationToken) =>
        (await directory.ListUsersAsync(account, cancellationToken)).Count(u => u.AttachedPolicies.Contains(arn))
        + (await directory.ListRolesAsync(account, cancellationToken)).Count(r => r.AttachedPolicies.Contains(arn));

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

    private static AwsException NoInlinePolicy(HolderKind kind, string policy) =>
        new("NoSuchEntity", $"The {(kind == HolderKind.User ? "user" : "role")} policy with name {policy} cannot be found.", 404);
}
