using System.Xml.Linq;

namespace Berth.Client.Aws;

/// <summary>The IAM actions the cluster commands use: roles for clusters, nodes, Fargate and service accounts, and OIDC providers.</summary>
public sealed class IamApi(AwsClient client)
{
    private const string Service = "iam";
    private const string Version = "2010-05-08";

    /// <summary>Makes the role; answers its ARN.</summary>
    public async Task<string> CreateRoleAsync(string name, string trustPolicy, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var parameters = new List<KeyValuePair<string, string>> { new("RoleName", name), new("AssumeRolePolicyDocument", trustPolicy) };
        var index = 1;
        foreach (var (key, value) in tags)
        {
            parameters.Add(new($"Tags.member.{index}.Key", key));
            parameters.Add(new($"Tags.member.{index++}.Value", value));
        }
        return AwsClient.Child(await client.QueryAsync(Service, Version, "CreateRole", parameters, cancellationToken), "Arn")!;
    }

    /// <summary>The role's ARN and tags, or null when there is no such role.</summary>
    public async Task<(string Arn, Dictionary<string, string> Tags)?> GetRoleAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var role = await client.QueryAsync(Service, Version, "GetRole", [new("RoleName", name)], cancellationToken);
            var tags = role.Descendants().Where(e => e.Name.LocalName == "Tags").SelectMany(t => t.Elements())
                .ToDictionary(m => AwsClient.Child(m, "Key")!, m => AwsClient.Child(m, "Value") ?? "", StringComparer.Ordinal);
            return (AwsClient.Child(role, "Arn")!, tags);
        }
        catch (AwsApiException e) when (e.Code == "NoSuchEntity")
        {
            return null;
        }
    }

    public async Task<List<string>> ListRoleNamesAsync(CancellationToken cancellationToken) =>
        [.. Names(await client.QueryAsync(Service, Version, "ListRoles", [], cancellationToken), "RoleName")];

    public async Task<bool> PolicyExistsAsync(string arn, CancellationToken cancellationToken)
    {
        try
        {
            await client.QueryAsync(Service, Version, "GetPolicy", [new("PolicyArn", arn)], cancellationToken);
            return true;
        }
        catch (AwsApiException e) when (e.Code == "NoSuchEntity")
        {
            return false;
        }
    }

    public Task AttachRolePolicyAsync(string role, string policyArn, CancellationToken cancellationToken) =>
        client.QueryAsync(Service, Version, "AttachRolePolicy", [new("RoleName", role), new("PolicyArn", policyArn)], cancellationToken);

    public Task PutRolePolicyAsync(string role, string policyName, string document, CancellationToken cancellationToken) =>
        client.QueryAsync(Service, Version, "PutRolePolicy", [new("RoleName", role), new("PolicyName", policyName), new("PolicyDocument", document)], cancellationToken);

    /// <summary>Detaches and deletes the role's policies, then the role: IAM refuses to delete a role that holds any.</summary>
    public async Task DeleteRoleAsync(string role, CancellationToken cancellationToken)
    {
        foreach (var arn in Names(await client.QueryAsync(Service, Version, "ListAttachedRolePolicies", [new("RoleName", role)], cancellationToken), "PolicyArn"))
        {
            await client.QueryAsync(Service, Version, "DetachRolePolicy", [new("RoleName", role), new("PolicyArn", arn)], cancellationToken);
        }
        var inline = await client.QueryAsync(Service, Version, "ListRolePolicies", [new("RoleName", role)], cancellationToken);
        foreach (var name in inline.Descendants().Where(e => e.Name.LocalName == "PolicyNames").SelectMany(e => e.Elements()).Select(e => e.Value))
        {
            await client.QueryAsync(Service, Version, "DeleteRolePolicy", [new("RoleName", role), new("PolicyName", name)], cancellationToken);
        }
        await client.QueryAsync(Service, Version, "DeleteRole", [new("RoleName", role)], cancellationToken);
    }

    public async Task<string> CreateOpenIdConnectProviderAsync(string url, string clientId, string thumbprint, IReadOnlyDictionary<string, string> tags,
        CancellationToken cancellationToken)
    {
        var parameters = new List<KeyValuePair<string, string>> { new("Url", url), new("ClientIDList.member.1", clientId), new("ThumbprintList.member.1", thumbprint) };
        var index = 1;
        foreach (var (key, value) in tags)
        {
            parameters.Add(new($"Tags.member.{index}.Key", key));
            parameters.Add(new($"Tags.member.{index++}.Value", value));
        }
        return AwsClient.Child(await client.QueryAsync(Service, Version, "CreateOpenIDConnectProvider", parameters, cancellationToken), "OpenIDConnectProviderArn")!;
    }

    public async Task<List<string>> ListOpenIdConnectProvidersAsync(CancellationToken cancellationToken) =>
        [.. Names(await client.QueryAsync(Service, Version, "ListOpenIDConnectProviders", [], cancellationToken), "Arn")];

    public Task DeleteOpenIdConnectProviderAsync(string arn, CancellationToken cancellationToken) =>
        client.QueryAsync(Service, Version, "DeleteOpenIDConnectProvider", [new("OpenIDConnectProviderArn", arn)], cancellationToken);

    private static IEnumerable<string> Names(XElement result, string element) =>
        result.Descendants().Where(e => e.Name.LocalName == element).Select(e => e.Value);
}
