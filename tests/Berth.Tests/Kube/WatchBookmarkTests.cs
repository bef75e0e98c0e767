using System.Text;
using System.Text.Json.Nodes;

namespace Berth.Tests.Kube;

/// <summary>Watches that allow bookmarks learn how far the store has come, even when nothing they watch changes.</summary>
public sealed class WatchBookmarkTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StringContent ConfigMap(string ns, string name) =>
        new(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        }.ToJsonString(), Encoding.UTF8, "application/json");

    [Fact]
    public async Task QuietWatch_GetsABookmarkPastChangesElsewhere()
    {
        using var http = fixture.CreateAdminClient();
        var list = JsonNode.Parse(await http.GetStringAsync("api/v1/namespaces/default/configmaps", Ct))!;
        var from = list["metadata"]!["resourceVersion"]!.GetValue<string>();

        using var response = await http.GetAsync(
            $"api/v1/namespaces/kube-public/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion={from}&timeoutSeconds=3",
            HttpCompletionOption.ResponseHeadersRead, Ct);
        var elsewhere = await http.PostAsync("api/v1/namespaces/default/configmaps", ConfigMap("default", "elsewhere"), Ct);
        var written = long.Parse(JsonNode.Parse(await elsewhere.Content.ReadAsStringAsync(Ct))!["metadata"]!["resourceVersion"]!.GetValue<string>(),
            System.Globalization.CultureInfo.InvariantCulture);
        var lines = (await response.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        var bookmarks = lines.Select(l => JsonNode.Parse(l)!).Where(e => e["type"]!.GetValue<string>() == "BOOKMARK").ToList();

        Assert.NotEmpty(bookmarks);
        var bookmark = bookmarks[^1];
        Assert.Equal("ConfigMap", bookmark["object"]!["kind"]!.GetValue<string>());
        Assert.True(long.Parse(bookmark["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) >= written);
    }

    [Fact]
    public async Task WatchWithoutBookmarks_GetsNone()
    {
        using var http = fixture.CreateAdminClient();

        var body = await http.GetStringAsync("api/v1/namespaces/kube-public/configmaps?watch=true&resourceVersion=1&timeoutSeconds=3", Ct);

        Assert.DoesNotContain("BOOKMARK", body, StringComparison.Ordinal);
    }
}
