using Berth.Aws.Iam;

namespace Berth.Aws.Tests.Iam;

public sealed class PolicyDocumentTests
{
    private const string Repository = "arn:aws:ecr:us-east-1:000000000000:repository/team/app";

    [Theory]
    [InlineData("""{"Statement":{"Effect":"Allow","Action":"ecr:*","Resource":"*"}}""", "ecr:PutImage", PolicyEffect.Allow)]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"ECR:put?mage","Resource":"arn:aws:ecr:*:*:repository/team/*"}]}""", "ecr:PutImage", PolicyEffect.Allow)]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"ecr:PutImage","Resource":"arn:aws:ecr:*:*:repository/other"}]}""", "ecr:PutImage", PolicyEffect.None)]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"ecr:PutImage","Resource":"arn:aws:ecr:*:*:repository/TEAM/*"}]}""", "ecr:PutImage", PolicyEffect.None)]
    [InlineData("""{"Statement":[{"Effect":"Allow","NotAction":"ecr:PutImage","Resource":"*"}]}""", "ecr:PutImage", PolicyEffect.None)]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","NotResource":"arn:aws:ecr:*:*:repository/team/*"}]}""", "ecr:PutImage", PolicyEffect.None)]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"ecr:Put*","Resource":"*"}]}""", "ecr:PutImage", PolicyEffect.Deny)]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}""", "ecr:PutImage", PolicyEffect.None)]
    public void IdentityPolicies_MatchActionsAndResourcesWithIamsWildcards(string policy, string action, PolicyEffect expected) =>
        Assert.Equal(expected, PolicyDocument.Parse(policy, resourcePolicy: false).Evaluate(action, Repository));

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*"}]}""")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Resource":"*"}]}""")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":5,"Resource":"*"}]}""")]
    public void IdentityPoliciesIamRefuses_AreFormatErrors(string policy) =>
        Assert.Throws<FormatException>(() => PolicyDocument.Parse(policy, resourcePolicy: false));
}
