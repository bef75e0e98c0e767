using Berth.Aws.Ecr;
using Berth.Aws.Endpoint;

namespace Berth.Aws.Tests.Ecr;

public sealed class LifecyclePolicyTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static LifecyclePolicy.Candidate Image(string digest, int daysOld, params string[] tags) => new(digest, tags, s_now - TimeSpan.FromDays(daysOld));

    private static readonly LifecyclePolicy.Candidate[] s_images =
    [
        Image("prod-new", 1, "prod-3"),
        Image("prod-mid", 5, "prod-2", "release"),
        Image("prod-old", 30, "prod-1"),
        Image("dev", 2, "dev-1"),
        Image("untagged-new", 3),
        Image("untagged-old", 40),
    ];

    [Fact]
    public void ImageCountMoreThan_KeepsTheNewestOfTheSelection()
    {
        var policy = LifecyclePolicy.Parse("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["prod"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}""");
        Assert.Equal(["prod-mid", "prod-old"], policy.Expired(s_images, s_now));
    }

    [Fact]
    public void SinceImagePushed_ExpiresOnlyImagesOlderThanTheCount()
    {
        var policy = LifecyclePolicy.Parse("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}""");
        Assert.Equal(["untagged-old"], policy.Expired(s_images, s_now));
    }

    [Fact]
    public void AnImageAHigherRuleSelects_IsNotExpiredByALowerOne()
    {
        // rule 1 claims the prod images and keeps them all; rule 2 (any, keep 1) sees only the rest
        var policy = LifecyclePolicy.Parse("""
            {"rules":[
              {"rulePriority":2,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},
              {"rulePriority":1,"selection":{"tagStatus":"tagged","tagPatternList":["prod-*"],"countType":"imageCountMoreThan","countNumber":10},"action":{"type":"expire"}}]}
            """);
        Assert.Equal(["untagged-new", "untagged-old"], policy.Expired(s_images, s_now));
    }

    [Fact]
    public void EveryPrefixOfTheList_MustBeMatchedByOneOfTheImagesTags()
    {
        var policy = LifecyclePolicy.Parse("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["prod","rel"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}""");
        Assert.Empty(policy.Expired(s_images, s_now));
        Assert.Equal(["prod-mid"], LifecyclePolicy.Parse("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["prod","rel"],"countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}""").Expired(s_images, s_now));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"rules":[]}""")]
    [InlineData("""{"rules":[{"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}""")]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}""")]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","tagPrefixList":["a"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}""")]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"sinceImagePushed","countNumber":1},"action":{"type":"expire"}}]}""")]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":0},"action":{"type":"expire"}}]}""")]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"keep"}}]}""")]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},{"rulePriority":2,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}""")]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":2},"action":{"type":"expire"}}]}""")]
    public void PoliciesEcrRefuses_AreInvalidParameters(string text)
    {
        var error = Assert.Throws<AwsException>(() => LifecyclePolicy.Parse(text));
        Assert.Equal("InvalidParameterException", error.Code);
        Assert.Contains("Lifecycle policy validation failure", error.Message, StringComparison.Ordinal);
    }
}
