using System.Text.Json.Nodes;

namespace Berth.Client.Aws;

/// <summary>The EKS operations the cluster commands use, over REST-JSON; answers are EKS's own documents.</summary>
public sealed class EksApi(AwsClient client)
{
    private const string Service = "eks";

    public async Task<JsonObject> CreateClusterAsync(JsonObject input, CancellationToken cancellationToken) =>
        Member(await client.RestJsonAsync(Service, HttpMethod.Post, "/clusters", input, cancellationToken), "cluster");

    /// <summary>The cluster, or null when there is none of that name.</summary>
    public async Task<JsonObject?> DescribeClusterAsync(string name, CancellationToken cancellationToken) =>
        await NullIfNotFoundAsync(async () => Member(await client.RestJsonAsync(Service, HttpMethod.Get, $"/clusters/{Escape(name)}", null, cancellationToken), "cluster"));

    public Task<List<string>> ListClustersAsync(CancellationToken cancellationToken) => ListAsync("/clusters", "clusters", cancellationToken);

    public Task DeleteClusterAsync(string name, CancellationToken cancellationToken) =>
        client.RestJsonAsync(Service, HttpMethod.Delete, $"/clusters/{Escape(name)}", null, cancellationToken);

    public async Task<JsonObject> UpdateClusterVersionAsync(string name, string version, CancellationToken cancellationToken) =>
        Member(await client.RestJsonAsync(Service, HttpMethod.Post, $"/clusters/{Escape(name)}/updates", new JsonObject { ["version"] = version }, cancellationToken), "update");

    public async Task<JsonObject> DescribeUpdateAsync(string name, string updateId, CancellationToken cancellationToken) =>
        Member(await client.RestJsonAsync(Service, HttpMethod.Get, $"/clusters/{Escape(name)}/updates/{Escape(updateId)}", null, cancellationToken), "update");

    public async Task<JsonObject> CreateNodegroupAsync(string cluster, JsonObject input, CancellationToken cancellationToken) =>
        Member(await client.RestJsonAsync(Service, HttpMethod.Post, $"/clusters/{Escape(cluster)}/node-groups", input, cancellationToken), "nodegroup");

    public async Task<JsonObject?> DescribeNodegroupAsync(string cluster, string name, CancellationToken cancellationToken) =>
        await NullIfNotFoundAsync(async () => Member(await client.RestJsonAsync(Service, HttpMethod.Get,
            $"/clusters/{Escape(cluster)}/node-groups/{Escape(name)}", null, cancellationToken), "nodegroup"));

    public Task<List<string>> ListNodegroupsAsync(string cluster, CancellationToken cancellationToken) =>
        ListAsync($"/clusters/{Escape(cluster)}/node-groups", "nodegroups", cancellationToken);

    public Task DeleteNodegroupAsync(string cluster, string name, CancellationToken cancellationToken) =>
        client.RestJsonAsync(Service, HttpMethod.Delete, $"/clusters/{Escape(cluster)}/node-groups/{Escape(name)}", null, cancellationToken);

    public Task UpdateNodegroupConfigAsync(string cluster, string name, JsonObject input, CancellationToken cancellationToken) =>
        client.RestJsonAsync(Service, HttpMethod.Post, $"/clusters/{Escape(cluster)}/node-groups/{Escape(name)}/update-config", input, cancellationToken);

    public async Task<JsonObject> CreateFargateProfileAsync(string cluster, JsonObject input, CancellationToken cancellationToken) =>
        Member(await client.RestJsonAsync(Service, HttpMethod.Post, $"/clusters/{Escape(cluster)}/fargate-profiles", input, cancellationToken), "fargateProfile");

    public async Task<JsonObject?> DescribeFargateProfileAsync(string cluster, string name, CancellationToken cancellationToken) =>
        await NullIfNotFoundAsync(async () => Member(await client.RestJsonAsync(Service, HttpMethod.Get,
            $"/clusters/{Escape(cluster)}/fargate-profiles/{Escape(name)}", null, cancellationToken), "fargateProfile"));

    public Task<List<string>> ListFargateProfilesAsync(string cluster, CancellationToken cancellationToken) =>
        ListAsync($"/clusters/{Escape(cluster)}/fargate-profiles", "fargateProfileNames", cancellationToken);

    public Task DeleteFargateProfileAsync(string cluster, string name, CancellationToken cancellationToken) =>
        client.RestJsonAsync(Service, HttpMethod.Delete, $"/clusters/{Escape(cluster)}/fargate-profiles/{Escape(name)}", null, cancellationToken);

    public async Task<JsonObject> CreateAddonAsync(string cluster, JsonObject input, CancellationToken cancellationToken) =>
        Member(await client.RestJsonAsync(Service, HttpMethod.Post, $"/clusters/{Escape(cluster)}/addons", input, cancellationToken), "addon");

    public async Task<JsonObject?> DescribeAddonAsync(string cluster, string name, CancellationToken cancellationToken) =>
        await NullIfNotFoundAsync(async () => Member(await client.RestJsonAsync(Service, HttpMethod.Get,
            $"/clusters/{Escape(cluster)}/addons/{Escape(name)}", null, cancellationToken), "addon"));

    public Task<List<string>> ListAddonsAsync(string cluster, CancellationToken cancellationToken) =>
        ListAsync($"/clusters/{Escape(cluster)}/addons", "addons", cancellationToken);

    public Task DeleteAddonAsync(string cluster, string name, CancellationToken cancellationToken) =>
        client.RestJsonAsync(Service, HttpMethod.Delete, $"/clusters/{Escape(cluster)}/addons/{Escape(name)}", null, cancellationToken);

    /// <summary>Every page of a list operation.</summary>
    private async Task<List<string>> ListAsync(string path, string member, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        string? next = null;
        do
        {
            var page = await client.RestJsonAsync(Service, HttpMethod.Get, next is null ? path : $"{path}?nextToken={Uri.EscapeDataString(next)}", null, cancellationToken);
            names.AddRange((page[member] as JsonArray ?? []).Select(n => n!.GetValue<string>()));
            next = page["nextToken"]?.GetValue<string>();
        }
        while (next is not null);
        return names;
    }

    private static async Task<JsonObject?> NullIfNotFoundAsync(Func<Task<JsonObject>> describe)
    {
        try
        {
            return await describe();
        }
        catch (AwsApiException e) when (e.Code == "ResourceNotFoundException")
        {
            return null;
        }
    }

    private static JsonObject Member(JsonObject answer, string member) => answer[member] as JsonObject ?? [];

    private static string Escape(string segment) => Uri.EscapeDataString(segment);
}
