namespace Berth.Tests.Cli;

public sealed class CommandLineTests
{
    [Fact]
    public async Task Version_PrintsReleaseAndCommit()
    {
        var (exitCode, output) = await BerthProcess.RunAsync("version");

        Assert.Equal(0, exitCode);
        Assert.Matches(@"^berth \d+\.\d+\.\d+", output);
    }

    [Fact]
    public async Task Help_ListsTheSubcommands()
    {
        var (exitCode, output) = await BerthProcess.RunAsync("--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("server", output, StringComparison.Ordinal);
        Assert.Contains("version", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no-such-command")]
    [InlineData("server", "--port", "70000")]
    [InlineData("server", "--address", "not-an-address")]
    [InlineData("server", "--log-format", "xml")]
    public async Task BadArguments_ExitNonZeroWithAMessage(params string[] arguments)
    {
        var (exitCode, output) = await BerthProcess.RunAsync(arguments);

        Assert.NotEqual(0, exitCode);
        Assert.False(string.IsNullOrWhiteSpace(output));
    }
}
