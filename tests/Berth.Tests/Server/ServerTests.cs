using System.Net;
using System.Net.Sockets;

namespace Berth.Tests.Server;

public sealed class ServerTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Server_ServesHealthReadinessAndMetrics()
    {
        var (server, address) = await BerthProcess.StartServerAsync(_data.Path);
        await using var _ = server;

        Assert.Equal("ok", await _http.GetStringAsync(new Uri(address, "/healthz"), Ct));
        Assert.Equal("ok", await _http.GetStringAsync(new Uri(address, "/livez"), Ct));
        Assert.Equal("ok", await _http.GetStringAsync(new Uri(address, "/readyz"), Ct));
        var metrics = await _http.GetStringAsync(new Uri(address, "/metrics"), Ct);

        Assert.Contains("http_requests_received_total", metrics, StringComparison.Ordinal);
        Assert.Contains("http_request_duration_seconds_bucket", metrics, StringComparison.Ordinal);
        Assert.Contains("berth_store_operations_total{operation=\"status\",result=\"Ok\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("berth_store_operation_duration_seconds_bucket", metrics, StringComparison.Ordinal);
        Assert.True(File.Exists(_data.File("berth.db")));
    }

    [Fact]
    public async Task Server_BindsLoopbackByDefault()
    {
        var (server, address) = await BerthProcess.StartServerAsync(_data.Path);
        await using var _ = server;

        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(address.Host)));
    }

    [Fact]
    public async Task Server_DataDirectoryFromEnvironment_IsUsed()
    {
        await using var server = BerthProcess.Start(["server", "--port", "0", "--kube-port", "0"],
            new Dictionary<string, string> { ["BERTH_DATA_DIR"] = _data.Path });

        await server.WaitForListeningAsync();

        Assert.True(File.Exists(_data.File("berth.db")));
    }

    [Fact]
    public async Task Server_NewDataDirectory_IsPrivateToItsOwner()
    {
        var fresh = _data.File("fresh");
        var (server, _) = await BerthProcess.StartServerAsync(fresh);
        await using var _ = server;

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(fresh));
    }

    [Fact]
    public async Task Server_SigTerm_StopsGracefullyWithExitCodeZero()
    {
        var (server, _) = await BerthProcess.StartServerAsync(_data.Path);
        await using var _ = server;

        server.Terminate();

        Assert.Equal(0, await server.WaitForExitAsync());
        Assert.Contains("shutting down", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_CorruptDatabase_ExitsNamingTheFileAndLeavesItUntouched()
    {
        var database = _data.File("berth.db");
        var garbage = new byte[16384];
        new Random(3).NextBytes(garbage);
        await File.WriteAllBytesAsync(database, garbage, Ct);

        await using var server = BerthProcess.Start(["server", "--data-dir", _data.Path, "--port", "0", "--kube-port", "0"]);
        var exitCode = await server.WaitForExitAsync();

        Assert.Equal(3, exitCode);
        Assert.Contains(database, server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", server.Output, StringComparison.Ordinal);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(database, Ct));
    }

    [Fact]
    public async Task Server_SecondServerOnTheSameData_ExitsSayingItIsInUse()
    {
        var (first, address) = await BerthProcess.StartServerAsync(_data.Path);
        await using var _ = first;

        await using var second = BerthProcess.Start(["server", "--data-dir", _data.Path, "--port", "0", "--kube-port", "0"]);
        var exitCode = await second.WaitForExitAsync();

        Assert.Equal(3, exitCode);
        Assert.Contains("another Berth process", second.Output, StringComparison.Ordinal);
        Assert.Equal("ok", await _http.GetStringAsync(new Uri(address, "/readyz"), Ct));
    }

    [Fact]
    public async Task Server_PortTaken_ExitsSayingSo()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        await using var server = BerthProcess.Start(["server", "--data-dir", _data.Path, "--kube-port", "0", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var exitCode = await server.WaitForExitAsync();

        Assert.Equal(4, exitCode);
        Assert.Contains($"cannot listen on 127.0.0.1:{port}", server.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _http.Dispose();
        _data.Dispose();
    }
}
