using System.CommandLine;
using Berth.Client.Aws;
using Berth.Client.Clusters;
using Berth.Client.Config;
using Berth.Client.Output;

namespace Berth.Client.Commands;

/// <summary>
/// What every cluster command shares: the AWS flags (<c>--profile</c>, <c>--region</c>, <c>--endpoint-url</c>), one
/// session built from them, and the way a failure reaches the user — one line saying what is wrong and how to fix
/// it, and exit code 1 (130 when interrupted).
/// </summary>
internal static class ClusterCommandLine
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Interrupted = 130;

    public static readonly Option<string?> Profile = new("--profile") { Description = "AWS credentials profile to use (default: $AWS_PROFILE, else default, else Berth's).", Recursive = true };
    public static readonly Option<string?> Region = new("--region", "-r") { Description = "AWS region (default: $AWS_REGION, the profile's, else us-east-1).", Recursive = true };
    public static readonly Option<string?> EndpointUrl = new("--endpoint-url") { Description = "AWS endpoint (default: $AWS_ENDPOINT_URL, the profile's, else http://127.0.0.1:4566).", Recursive = true };

    public static Option<string> Output()
    {
        var output = new Option<string>("--output", "-o") { Description = "table, json or yaml.", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong(ResultPrinter.Formats);
        return output;
    }

    public static Option<string?> Cluster(bool required = true) => new("--cluster", "-c") { Description = "The EKS cluster's name.", Required = required };

    /// <summary>Adds the AWS flags to a top-level command; its subcommands inherit them.</summary>
    public static T WithAwsOptions<T>(T command)
        where T : Command
    {
        command.Options.Add(Profile);
        command.Options.Add(Region);
        command.Options.Add(EndpointUrl);
        return command;
    }

    /// <summary>Runs <paramref name="action"/> with a session, turning every expected failure into its one line.</summary>
    public static void SetAction(Command command, Func<ParseResult, ClusterSession, CancellationToken, Task<int>> action, Func<ParseResult, string?>? region = null) =>
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var time = TimeProvider.System;
            var log = ProgressLog.ToStandardError(time);
            try
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(100) };
                var options = new AwsOptions(parseResult.GetValue(Profile), parseResult.GetValue(Region) ?? region?.Invoke(parseResult), parseResult.GetValue(EndpointUrl));
                return await action(parseResult, new ClusterSession(new AwsClient(http, options, time), log, time), cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await error.WriteLineAsync("Error: interrupted; what was made so far stays, and berth delete cluster removes it");
                return Interrupted;
            }
            catch (Exception e) when (Message(e) is { } message)
            {
                await error.WriteLineAsync($"Error: {message}");
                return Failure;
            }
        });

    /// <summary>The line for a failure the user can act on; null for a fault of berth's own, which is left to crash loudly.</summary>
    private static string? Message(Exception e) => e switch
    {
        AwsApiException { Code: "InvalidClientTokenId" or "UnrecognizedClientException" or "SignatureDoesNotMatch" or "InvalidSignatureException" or "AuthFailure" } api =>
            $"{api.Code}: {api.Message} (check the access key: berth credentials prints Berth's, and --profile picks a profile)",
        AwsApiException { Code: "AccessDenied" or "AccessDeniedException" } api => $"{api.Code}: {api.Message} (the credentials' policies do not allow it)",
        AwsApiException api => $"{api.Code}: {api.Message}",
        AwsUnreachableException or AwsConfigurationException or ClusterCommandException or ClusterConfigException => e.Message,
        k8s.Autorest.HttpOperationException kube => $"the cluster's Kubernetes API answered {(int)kube.Response.StatusCode}: {kube.Response.Content}",
        HttpRequestException http => $"request failed: {http.Message}",
        IOException io => io.Message,
        _ => null,
    };
}
