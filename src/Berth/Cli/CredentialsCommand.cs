using System.CommandLine;
using Berth.Aws.Accounts;
using Berth.Server;

namespace Berth.Cli;

/// <summary>
/// <c>berth credentials</c>: the account, access key and endpoint the server wrote into its data folder, as text, as
/// shell exports, or added as the <c>berth</c> profile to the AWS CLI's own files.
/// </summary>
internal static class CredentialsCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string?>("--data-dir") { Description = "Berth's data folder (default: $BERTH_DATA_DIR, else ~/.berth)." };
        var format = new Option<string>("--format")
        {
            Description = "text, or env for shell exports (eval \"$(berth credentials --format env)\").",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "env");
        var writeProfile = new Option<bool>("--write-profile")
        {
            Description = "Add the berth profile to the AWS CLI's credentials and config files ($AWS_SHARED_CREDENTIALS_FILE, "
                + "$AWS_CONFIG_FILE, else ~/.aws/), replacing only that profile.",
        };
        var command = new Command("credentials", "Print the AWS account, access key and endpoint of this Berth installation.") { dataDir, format, writeProfile };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var data = DataDirectory.Resolve(parseResult.GetValue(dataDir));
            var credentialsPath = Path.Combine(data, AwsProfileFile.CredentialsFileName);
            if (!File.Exists(credentialsPath))
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"berth: no credentials in {data}: start the server (berth server) once first");
                return ExitCodes.Failure;
            }
            var key = AwsProfileFile.Read(await File.ReadAllTextAsync(credentialsPath, cancellationToken), AwsProfileFile.Profile) ?? [];
            var configPath = Path.Combine(data, AwsProfileFile.ConfigFileName);
            var config = File.Exists(configPath) ? AwsProfileFile.Read(await File.ReadAllTextAsync(configPath, cancellationToken), AwsProfileFile.ConfigSection) ?? [] : [];
            var region = config.GetValueOrDefault("region", AwsProfileFile.DefaultRegion);
            var endpoint = config.GetValueOrDefault("endpoint_url", $"http://127.0.0.1:{ServerOptions.DefaultPort}");

            if (parseResult.GetValue(writeProfile))
            {
                var (credentialsFile, configFile) = await WriteProfileAsync(key, region, endpoint, cancellationToken);
                await output.WriteLineAsync($"Wrote the {AwsProfileFile.Profile} profile to {credentialsFile} and {configFile}; use it with --profile {AwsProfileFile.Profile} or AWS_PROFILE={AwsProfileFile.Profile}.");
                return ExitCodes.Ok;
            }
            var (id, secret, account) = (key.GetValueOrDefault("aws_access_key_id", ""), key.GetValueOrDefault("aws_secret_access_key", ""), key.GetValueOrDefault("aws_account_id", ""));
            if (parseResult.GetValue(format) == "env")
            {
                await output.WriteLineAsync($"""
                    export AWS_ACCESS_KEY_ID={id}
                    export AWS_SECRET_ACCESS_KEY={secret}
                    export AWS_DEFAULT_REGION={region}
                    export AWS_ENDPOINT_URL={endpoint}
                    """);
                return ExitCodes.Ok;
            }
            await output.WriteLineAsync($"""
                Account            {account}
                Access key id      {id}
                Secret access key  {secret}
                Region             {region}
                Endpoint           {endpoint}
                Profile            {AwsProfileFile.Profile}, in {credentialsPath}
                """);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Adds the <c>berth</c> profile to the AWS CLI's own files (<c>$AWS_SHARED_CREDENTIALS_FILE</c>,
    /// <c>$AWS_CONFIG_FILE</c>, else <c>~/.aws/</c>), replacing only that profile; answers the two files.
    /// </summary>
    public static async Task<(string Credentials, string Config)> WriteProfileAsync(IReadOnlyDictionary<string, string> key, string region, string endpoint,
        CancellationToken cancellationToken)
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var credentialsFile = Environment.GetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE") is { Length: > 0 } c ? c : Path.Combine(home, ".aws", "credentials");
        var configFile = Environment.GetEnvironmentVariable("AWS_CONFIG_FILE") is { Length: > 0 } f ? f : Path.Combine(home, ".aws", "config");
        await UpsertAsync(credentialsFile, AwsProfileFile.Profile, key, cancellationToken);
        await UpsertAsync(configFile, AwsProfileFile.ConfigSection, new Dictionary<string, string> { ["region"] = region, ["endpoint_url"] = endpoint }, cancellationToken);
        return (credentialsFile, configFile);
    }

    /// <summary>Replaces the profile's section in an AWS CLI file (made, readable by its owner only, when missing).</summary>
    private static async Task UpsertAsync(string path, string section, IReadOnlyDictionary<string, string> values, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var text = File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) : "";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows() && !File.Exists(path))
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        await using var file = new StreamWriter(path, options);
        await file.WriteAsync(AwsProfileFile.Upsert(text, section, values).AsMemory(), cancellationToken);
    }
}
