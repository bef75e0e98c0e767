using System.Text;
using Berth.Registry.Storage;

namespace Berth.Registry.Tests.Storage;

public sealed class DigestTests
{
    [Theory]
    [InlineData("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")]
    [InlineData("sha512:9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043")]
    public void ParsesWhatItPrints(string text)
    {
        Assert.Equal(text, Digest.Parse(text).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("sha256")]
    [InlineData(":2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")]
    [InlineData("sha256:2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824")] // upper case
    [InlineData("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982")] // one short
    [InlineData("sha256:../../../etc/passwd")]
    [InlineData("md5:5d41402abc4b2a76b9719d911017c592")]
    [InlineData("sha512:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")] // a sha256's length
    public void RefusesWhatIsNotADigestItCanCheck(string text)
    {
        Assert.False(Digest.TryParse(text, out _));
        Assert.Throws<FormatException>(() => Digest.Parse(text));
    }

    [Fact]
    public void ComputesSha256AndSha512()
    {
        var hello = Encoding.ASCII.GetBytes("hello");
        Assert.Equal("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", Digest.Compute(hello).ToString());
        Assert.Equal(
            "sha512:9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043",
            Digest.Compute(hello, Digest.Sha512).ToString());
    }
}
