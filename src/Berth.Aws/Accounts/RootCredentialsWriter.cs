using Microsoft.Extensions.Hosting;

namespace Berth.Aws.Accounts;

/// <summary>
/// Makes the account and its root access key at the first start, and writes them as a <c>berth</c> profile in the
/// AWS CLI's credentials format to <c>&lt;data&gt;/aws-credentials</c> (readable by the owner only), as the
/// kubeconfig is written for the Kubernetes API.
/// </summary>
internal sealed class RootCredentialsWriter(AccessKeys keys, string dataDirectory) : IHostedService
{
    public const string FileName = "aws-credentials";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var root = await keys.EnsureRootKeyAsync(cancellationToken);
        var path = Path.Combine(dataDirectory, FileName);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        await using var file = new StreamWriter(path, options);
        await file.WriteAsync($"""
            [berth]
            aws_access_key_id = {root.AccessKeyId}
            aws_secret_access_key = {root.SecretAccessKey}
            # account {root.AccountId}

            """);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
