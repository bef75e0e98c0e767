using Berth.Client.Aws;

namespace Berth.Client.Tests.Aws;

/// <summary>The AWS CLI's order: flags, then the environment, then the profile's files; Berth's own profile last.</summary>
public sealed class AwsSettingsTests : IDisposable
{
    private readonly TempDirectory _home = new();
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);

    public AwsSettingsTests()
    {
        _environment["AWS_SHARED_CREDENTIALS_FILE"] = _home.File("credentials");
        _environment["AWS_CONFIG_FILE"] = _home.File("config");
        _environment["BERTH_DATA_DIR"] = _home.File("berth");
        File.WriteAllText(_home.File("credentials"), """
            [default]
            aws_access_key_id = AKIADEFAULT
            aws_secret_access_key = default-secret

            [work]
            aws_access_key_id = AKIAWORK
            aws_secret_access_key = work-secret
            aws_session_token = work-token
            """);
        File.WriteAllText(_home.File("config"), """
            [default]
            region = eu-west-1

            [profile work]
            region = ap-south-1
            endpoint_url = http://127.0.0.1:4999
            """);
    }

    public void Dispose() => _home.Dispose();

    private AwsSettings Resolve(AwsOptions options, string service = "eks") => AwsSettings.Resolve(options, service, name => _environment.GetValueOrDefault(name));

    [Fact]
    public void TheDefaultProfile_GivesKeyAndRegion_AndBerthsEndpointWhenNoneIsSet()
    {
        var settings = Resolve(new AwsOptions());
        Assert.Equal(("AKIADEFAULT", "eu-west-1", "http://127.0.0.1:4566/"), (settings.Credentials.AccessKeyId, settings.Region, settings.Endpoint.ToString()));
    }

    [Fact]
    public void ANamedProfile_GivesItsKeyTokenRegionAndEndpoint_AndIsPassedToOtherClients()
    {
        var settings = Resolve(new AwsOptions(Profile: "work"));
        Assert.Equal(("AKIAWORK", "work-token", "ap-south-1", "http://127.0.0.1:4999/"),
            (settings.Credentials.AccessKeyId, settings.Credentials.SessionToken, settings.Region, settings.Endpoint.ToString()));
        Assert.Equal("work", settings.ClientEnvironment["AWS_PROFILE"]);
    }

    [Fact]
    public void EnvironmentKeys_WinOverTheDefaultProfile_ButNotOverAnExplicitProfile()
    {
        _environment["AWS_ACCESS_KEY_ID"] = "AKIAENV";
        _environment["AWS_SECRET_ACCESS_KEY"] = "env-secret";
        _environment["AWS_REGION"] = "us-west-2";
        Assert.Equal(("AKIAENV", "us-west-2"), (Resolve(new AwsOptions()).Credentials.AccessKeyId, Resolve(new AwsOptions()).Region));
        Assert.Equal("AKIAWORK", Resolve(new AwsOptions(Profile: "work")).Credentials.AccessKeyId);
    }

    [Fact]
    public void FlagsWin_ThenTheServicesOwnEndpointVariable_ThenTheGeneralOne()
    {
        _environment["AWS_ENDPOINT_URL"] = "http://127.0.0.1:5000";
        _environment["AWS_ENDPOINT_URL_EKS"] = "http://127.0.0.1:5001";
        Assert.Equal("http://127.0.0.1:5001/", Resolve(new AwsOptions()).Endpoint.ToString());
        Assert.Equal("http://127.0.0.1:5000/", Resolve(new AwsOptions(), "iam").Endpoint.ToString());
        var flags = Resolve(new AwsOptions(Region: "sa-east-1", EndpointUrl: "http://127.0.0.1:6000"));
        Assert.Equal(("sa-east-1", "http://127.0.0.1:6000/"), (flags.Region, flags.Endpoint.ToString()));
    }

    [Fact]
    public void WithNothingConfigured_BerthsDataFolderProfileIsUsed_AndNamedForOtherClients()
    {
        File.Delete(_home.File("credentials"));
        File.Delete(_home.File("config"));
        Directory.CreateDirectory(_home.File("berth"));
        File.WriteAllText(Path.Combine(_home.File("berth"), "aws-credentials"), "[berth]\naws_access_key_id = AKIABERTH\naws_secret_access_key = s\n");
        File.WriteAllText(Path.Combine(_home.File("berth"), "aws-config"), "[profile berth]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:4600\n");
        var settings = Resolve(new AwsOptions());
        Assert.Equal(("AKIABERTH", "http://127.0.0.1:4600/"), (settings.Credentials.AccessKeyId, settings.Endpoint.ToString()));
        Assert.Equal(("berth", Path.Combine(_home.File("berth"), "aws-credentials")),
            (settings.ClientEnvironment["AWS_PROFILE"], settings.ClientEnvironment["AWS_SHARED_CREDENTIALS_FILE"]));
    }

    [Fact]
    public void AnUnknownProfile_NoCredentials_AndAMalformedEndpoint_AreSaidPlainly()
    {
        Assert.Contains("The config profile (nope) could not be found", Assert.Throws<AwsConfigurationException>(() => Resolve(new AwsOptions(Profile: "nope"))).Message,
            StringComparison.Ordinal);
        Assert.Contains("Invalid endpoint: ftp://x", Assert.Throws<AwsConfigurationException>(() => Resolve(new AwsOptions(EndpointUrl: "ftp://x"))).Message,
            StringComparison.Ordinal);
        File.Delete(_home.File("credentials"));
        Assert.Contains("Unable to locate credentials", Assert.Throws<AwsConfigurationException>(() => Resolve(new AwsOptions())).Message, StringComparison.Ordinal);
    }
}
