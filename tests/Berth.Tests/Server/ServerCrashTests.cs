using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Tests.Kube;

namespace Berth.Tests.Server;

/// <summary>kill -9 of <c>berth server</c> while clients write: every write it acknowledged is there after a restart.</summary>
public sealed class ServerCrashTests : IDisposable
{
    private readonly TempDirectory _data = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Kill9_DuringAcknowledgedCreates_EveryAcknowledgedObjectSurvivesTheRestart()
    {
        var acknowledged = new ConcurrentBag<string>();
        var (server, _) = await BerthProcess.StartServerAsync(_data.Path);
        await using (server)
        {
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                using var http = AdminClient.Create(_data.Path, server.KubeAddress);
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    var name = $"crash-{w}-{n}";
                    HttpResponseMessage response;
                    try
                    {
                        var body = new JsonObject
                        {
                            ["apiVersion"] = "v1",
                            ["kind"] = "ConfigMap",
                            ["metadata"] = new JsonObject { ["name"] = name },
                            ["data"] = new JsonObject { ["n"] = n.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                        };
                        response = await http.PostAsync("api/v1/namespaces/default/configmaps",
                            new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), CancellationToken.None);
                    }
                    catch (HttpRequestException)
                    {
                        return; // the server is gone: this write was never acknowledged
                    }
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        acknowledged.Add(name);
                    }
                }
            }, Ct)).ToList();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (acknowledged.Count < 400 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20, Ct);
            }

            await server.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        }
        Assert.True(acknowledged.Count >= 400, $"only {acknowledged.Count} writes were acknowledged before the kill");

        var (restarted, _) = await BerthProcess.StartServerAsync(_data.Path);
        await using (restarted)
        {
            using var http = AdminClient.Create(_data.Path, restarted.KubeAddress);
            var list = JsonNode.Parse(await http.GetStringAsync("api/v1/namespaces/default/configmaps", Ct))!;
            var present = list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()).ToHashSet();

            var lost = acknowledged.Where(name => !present.Contains(name)).ToList();
            Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged writes were lost: {string.Join(", ", lost.Take(10))}");
        }
    }

    public void Dispose() => _data.Dispose();
}
