using System.Diagnostics;
using Berth.Store.Sqlite;

namespace Berth.Store.Tests.Sqlite;

/// <summary>Acknowledged writes survive SIGKILL of the process that made them.</summary>
public sealed class CrashTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    [Fact]
    public async Task Kill9_DuringAcknowledgedWrites_EveryAcknowledgedWriteSurvives()
    {
        var database = _directory.File("berth.db");
        var acknowledged = new Dictionary<string, long>();
        for (var round = 0; round < 3; round++)
        {
            foreach (var (key, revision) in await WriteUntilKilledAsync(database, round, afterAcks: 300 + (round * 150)))
            {
                acknowledged[key] = revision;
            }
        }

        await using var store = SqliteStore.Open(new SqliteStoreOptions { Path = database });
        var status = await store.GetStatusAsync(TestContext.Current.CancellationToken);
        Assert.True(status.Revision >= acknowledged.Values.Max());
        foreach (var (key, revision) in acknowledged)
        {
            var entry = await store.GetAsync(key, cancellationToken: TestContext.Current.CancellationToken);
            Assert.NotNull(entry);
            Assert.Equal(revision, entry.ModRevision);
        }
        var all = await store.ListAsync("/crash/", cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(all.Items.Count >= acknowledged.Count);
    }

    private static async Task<List<(string Key, long Revision)>> WriteUntilKilledAsync(string database, int run, int afterAcks)
    {
        var writer = typeof(CrashTests).Assembly.Location.Replace("Berth.Store.Tests.dll", "Berth.Store.CrashWriter.dll", StringComparison.Ordinal);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(writer);
        start.ArgumentList.Add(database);
        start.ArgumentList.Add("8");
        start.ArgumentList.Add(run.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var process = Process.Start(start)!;
        var acks = new List<(string, long)>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            while (acks.Count < afterAcks)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"writer exited early: {await process.StandardError.ReadToEndAsync(timeout.Token)}");
                if (line.StartsWith("ack ", StringComparison.Ordinal))
                {
                    var parts = line.Split(' ');
                    acks.Add((parts[1], long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture)));
                }
            }
        }
        finally
        {
            process.Kill(); // SIGKILL: no flush, no dispose, no checkpoint
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
        // Acks already written to the pipe before the kill were acknowledged too.
        string? rest;
        while ((rest = await process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken)) is not null)
        {
            if (rest.StartsWith("ack ", StringComparison.Ordinal) && rest.Split(' ') is [_, var key, var revision])
            {
                acks.Add((key, long.Parse(revision, System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
        return acks;
    }

    public void Dispose() => _directory.Dispose();
}
