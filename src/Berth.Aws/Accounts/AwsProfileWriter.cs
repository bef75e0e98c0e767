using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;

namespace Berth.Aws.Accounts;

/// <summary>
/// Makes the account and its root access key at the first start, and writes them as a <c>berth</c> profile into the
/// data folder, as the kubeconfig is written for the Kubernetes API: <c>aws-credentials</c> (the key; readable by the
/// owner only) at start, and <c>aws-config</c> (region and the endpoint's actual address) once the server listens.
/// <c>berth credentials</c> prints them and copies them into the AWS CLI's own files.
/// </summary>
internal sealed class AwsProfileWriter(AccessKeys keys, IServer server, IHostApplicationLifetime lifetime, string dataDirectory, string? accountId) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var root = await keys.EnsureRootKeyAsync(cancellationToken, accountId);
        await WritePrivateAsync(Path.Combine(dataDirectory, AwsProfileFile.CredentialsFileName), AwsProfileFile.Render(AwsProfileFile.Profile,
        [
            new("aws_access_key_id", root.AccessKeyId),
            new("aws_secret_access_key", root.SecretAccessKey),
            new("aws_account_id", root.AccountId),
        ]), cancellationToken);
        lifetime.ApplicationStarted.Register(WriteConfig);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The profile's region and the endpoint's plain-HTTP address, the one the AWS services answer on.</summary>
    private void WriteConfig()
    {
        var endpoint = server.Features.Get<IServerAddressesFeature>()?.Addresses
            .Select(a => new Uri(a))
            .FirstOrDefault(a => a.Scheme == Uri.UriSchemeHttp);
        if (endpoint is null)
        {
            return;
        }
        File.WriteAllText(Path.Combine(dataDirectory, AwsProfileFile.ConfigFileName), AwsProfileFile.Render(AwsProfileFile.ConfigSection,
        [
            new("region", AwsProfileFile.DefaultRegion),
            new("endpoint_url", endpoint.GetLeftPart(UriPartial.Authority)),
        ]));
    }

    private static async Task WritePrivateAsync(string path, string text, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        await using var file = new StreamWriter(path, options);
        await file.WriteAsync(text.AsMemory(), cancellationToken);
    }
}
