using Berth.Aws.Accounts;

namespace Berth.Client.Aws;

/// <summary>An access key, with the session token of temporary credentials.</summary>
public sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null);

/// <summary>
/// What the user passed on the command line: each overrides the environment and the profile files. A program that holds
/// its key already (<c>berth up</c>, with the server's) passes it as <paramref name="Credentials"/>.
/// </summary>
public sealed record AwsOptions(string? Profile = null, string? Region = null, string? EndpointUrl = null, AwsCredentials? Credentials = null);

/// <summary>
/// The credentials, region and endpoint a request is made with, resolved as the AWS CLI resolves them: the flags, then
/// the environment (<c>AWS_ACCESS_KEY_ID</c>, <c>AWS_PROFILE</c>, <c>AWS_REGION</c>, <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c>,
/// <c>AWS_ENDPOINT_URL</c> …), then the profile in the shared credentials and config files. Where the AWS CLI would stop
/// for want of a setting, Berth goes on with its own: the <c>berth</c> profile its server writes, the region
/// <c>us-east-1</c>, and the endpoint on this machine.
/// </summary>
public sealed record AwsSettings(AwsCredentials Credentials, string Region, Uri Endpoint, string? Profile)
{
    /// <summary>
    /// What another AWS client (<c>aws eks get-token</c> in a kubeconfig) needs in its environment to find the same
    /// credentials: the profile named, or Berth's own where it supplied them.
    /// </summary>
    public IReadOnlyDictionary<string, string> ClientEnvironment { get; init; } = new Dictionary<string, string>();

    public const string DefaultEndpoint = "http://127.0.0.1:4566";

    /// <summary>The settings for <paramref name="service"/> (the endpoint may differ per service, as the CLI's may).</summary>
    public static AwsSettings Resolve(AwsOptions options, string service, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        string? Env(string name) => environment(name) is { Length: > 0 } value ? value : null;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var credentialsText = ReadFile(Env("AWS_SHARED_CREDENTIALS_FILE") ?? Path.Combine(home, ".aws", "credentials"));
        var configText = ReadFile(Env("AWS_CONFIG_FILE") ?? Path.Combine(home, ".aws", "config"));

        var named = options.Profile ?? Env("AWS_PROFILE") ?? Env("AWS_DEFAULT_PROFILE");
        var profile = named ?? "default";
        var config = AwsProfileFile.Read(configText, profile == "default" ? "default" : "profile " + profile)
            ?? AwsProfileFile.Read(configText, "profile " + profile) ?? [];
        if (options.Credentials is null && named is not null && config.Count == 0 && AwsProfileFile.Read(credentialsText, profile) is null)
        {
            throw new AwsConfigurationException($"The config profile ({profile}) could not be found: add it to ~/.aws/credentials, "
                + "or write Berth's with berth credentials --write-profile.");
        }

        // an explicit --profile wins over keys in the environment, as in the AWS CLI
        var credentials = options.Credentials
            ?? (options.Profile is null ? FromEnvironment(Env) : null)
            ?? FromSection(AwsProfileFile.Read(credentialsText, profile))
            ?? FromSection(config);
        var clientEnvironment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (options.Profile is not null)
        {
            clientEnvironment["AWS_PROFILE"] = options.Profile;
        }
        if (credentials is null && named is null && BerthProfile(credentialsText, configText, Env) is (var key, var berthConfig, var files))
        {
            // nothing configured: Berth's own profile, with the region and endpoint that belong with its key
            credentials = key;
            clientEnvironment["AWS_PROFILE"] = AwsProfileFile.Profile;
            if (files is (var credentialsFile, var configFile))
            {
                clientEnvironment["AWS_SHARED_CREDENTIALS_FILE"] = credentialsFile;
                clientEnvironment["AWS_CONFIG_FILE"] = configFile;
            }
            foreach (var (name, value) in berthConfig)
            {
                config.TryAdd(name, value);
            }
        }
        if (credentials is null)
        {
            throw new AwsConfigurationException("Unable to locate credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                + "pass --profile, or start Berth once (berth up) so that its berth profile exists.");
        }

        var region = options.Region ?? Env("AWS_REGION") ?? Env("AWS_DEFAULT_REGION") ?? config.GetValueOrDefault("region") ?? AwsProfileFile.DefaultRegion;
        var endpointText = options.EndpointUrl
            ?? Env("AWS_ENDPOINT_URL_" + service.ToUpperInvariant().Replace(' ', '_').Replace('-', '_'))
            ?? Env("AWS_ENDPOINT_URL")
            ?? config.GetValueOrDefault("endpoint_url")
            ?? DefaultEndpoint;
        if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
        {
            throw new AwsConfigurationException($"Invalid endpoint: {endpointText} (an http:// or https:// URL, such as {DefaultEndpoint})");
        }
        return new AwsSettings(credentials, region, endpoint, named) { ClientEnvironment = clientEnvironment };
    }

    private static AwsCredentials? FromEnvironment(Func<string, string?> env) =>
        env("AWS_ACCESS_KEY_ID") is { } id && env("AWS_SECRET_ACCESS_KEY") is { } secret ? new AwsCredentials(id, secret, env("AWS_SESSION_TOKEN")) : null;

    private static AwsCredentials? FromSection(Dictionary<string, string>? section) =>
        section is not null && section.TryGetValue("aws_access_key_id", out var id) && section.TryGetValue("aws_secret_access_key", out var secret)
            ? new AwsCredentials(id, secret, section.GetValueOrDefault("aws_session_token"))
            : null;

    /// <summary>The <c>berth</c> profile of the AWS CLI's files, else the one the server keeps in its data folder.</summary>
    private static (AwsCredentials Key, Dictionary<string, string> Config, (string Credentials, string Config)? Files)? BerthProfile(
        string credentialsText, string configText, Func<string, string?> env)
    {
        if (FromSection(AwsProfileFile.Read(credentialsText, AwsProfileFile.Profile)) is { } written)
        {
            return (written, AwsProfileFile.Read(configText, AwsProfileFile.ConfigSection) ?? [], null);
        }
        var data = env("BERTH_DATA_DIR") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".berth");
        var (credentialsFile, configFile) = (Path.Combine(data, AwsProfileFile.CredentialsFileName), Path.Combine(data, AwsProfileFile.ConfigFileName));
        return FromSection(AwsProfileFile.Read(ReadFile(credentialsFile), AwsProfileFile.Profile)) is { } kept
            ? (kept, AwsProfileFile.Read(ReadFile(configFile), AwsProfileFile.ConfigSection) ?? [], (credentialsFile, configFile))
            : null;
    }

    private static string ReadFile(string path) => File.Exists(path) ? File.ReadAllText(path) : "";
}

/// <summary>The settings cannot be resolved: no credentials, an unknown profile, a malformed endpoint.</summary>
public sealed class AwsConfigurationException(string message) : Exception(message);
