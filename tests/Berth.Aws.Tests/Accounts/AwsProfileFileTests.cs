using Berth.Aws.Accounts;

namespace Berth.Aws.Tests.Accounts;

public sealed class AwsProfileFileTests
{
    private static readonly KeyValuePair<string, string>[] s_key = [new("aws_access_key_id", "AKIANEW"), new("aws_secret_access_key", "new")];

    [Fact]
    public void Upsert_ReplacesOnlyItsSection_WhereverItIs()
    {
        const string Before = "# mine\n[default]\nregion = eu-west-1\n\n[berth]\naws_access_key_id = AKIAOLD\n\n[work]\nregion = us-west-2 ; kept\n";
        var after = AwsProfileFile.Upsert(Before, "berth", s_key);
        Assert.Equal("# mine\n[default]\nregion = eu-west-1\n\n[berth]\naws_access_key_id = AKIANEW\naws_secret_access_key = new\n[work]\nregion = us-west-2 ; kept\n", after);
        Assert.Equal("AKIANEW", AwsProfileFile.Read(after, "berth")!["aws_access_key_id"]);
        Assert.Equal("eu-west-1", AwsProfileFile.Read(after, "default")!["region"]);
        Assert.Null(AwsProfileFile.Read(after, "absent"));
    }

    [Fact]
    public void Upsert_AppendsToAFileWithoutIt_AndFillsAnEmptyOne()
    {
        Assert.Equal("[default]\nregion = x\n\n[berth]\naws_access_key_id = AKIANEW\naws_secret_access_key = new\n", AwsProfileFile.Upsert("[default]\nregion = x", "berth", s_key));
        Assert.Equal("[berth]\naws_access_key_id = AKIANEW\naws_secret_access_key = new\n", AwsProfileFile.Upsert("", "berth", s_key));
    }
}
