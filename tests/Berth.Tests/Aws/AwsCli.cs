using System.Diagnostics;

namespace Berth.Tests.Aws;

/// <summary>The stock AWS CLI against a Berth server, with the credentials the server wrote or ones given.</summary>
internal sealed class AwsCli(Uri endpoint, string dataDirectory)
{
    /// <summary>The CLI to run: <c>aws</c> on the PATH (the image's AWS CLI v1), or Debian's v2 at <see cref="V2"/>.</summary>
    public string Executable { get; init; } = "aws";

    public const string V2 = "/usr/bin/aws";

    /// <summary>Access key and secret in place of the server's <c>berth</c> profile, to send wrong ones.</summary>
    public (string AccessKeyId, string Secret)? Credentials { get; init; }

    /// <summary>The session token that goes with temporary <see cref="Credentials"/>.</summary>
    public string? SessionToken { get; init; }

    /// <summary>Runs a command that must succeed; returns its JSON answer (default when it printed nothing).</summary>
    public async Task<System.Text.Json.JsonElement> SucceedAsync(params string[] arguments)
    {
        var (exitCode, output, errors) = await RunAsync(arguments);
        Assert.True(exitCode == 0, $"aws {string.Join(' ', arguments)}: {errors}");
        return output.Length == 0 ? default : System.Text.Json.JsonDocument.Parse(output).RootElement.Clone();
    }

    /// <summary>Runs a command that must fail with the AWS error <paramref name="code"/>; returns what it printed.</summary>
    public async Task<string> FailAsync(string code, params string[] arguments)
    {
        var (exitCode, _, errors) = await RunAsync(arguments);
        Assert.NotEqual(0, exitCode);
        Assert.Contains($"({code})", errors, StringComparison.Ordinal);
        return errors;
    }

    public async Task<(int ExitCode, string Output, string Errors)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments.Concat(["--endpoint-url", endpoint.ToString(), "--region", "us-east-1", "--output", "json"]))
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var name in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL" })
        {
            start.Environment.Remove(name);
        }
        start.Environment["AWS_CONFIG_FILE"] = Path.Combine(dataDirectory, "no-aws-config");
        start.Environment["AWS_PAGER"] = "";
        if (Credentials is { } given)
        {
            start.Environment["AWS_ACCESS_KEY_ID"] = given.AccessKeyId;
            start.Environment["AWS_SECRET_ACCESS_KEY"] = given.Secret;
            if (SessionToken is not null)
            {
                start.Environment["AWS_SESSION_TOKEN"] = SessionToken;
            }
            start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(dataDirectory, "no-aws-credentials");
        }
        else
        {
            start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(dataDirectory, "aws-credentials");
            start.Environment["AWS_PROFILE"] = "berth";
        }
        using var aws = Process.Start(start)!;
        var output = aws.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = aws.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await aws.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (aws.ExitCode, await output, await errors);
    }
}
