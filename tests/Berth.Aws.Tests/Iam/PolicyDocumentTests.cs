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

    private const string Trust = """
        {"Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::000000000000:oidc-provider/issuer/x"},
          "Action":"sts:AssumeRoleWithWebIdentity",
          "Condition":{"StringEquals":{"issuer/x:aud":"sts.amazonaws.com"},"StringLike":{"issuer/x:sub":"system:serviceaccount:team:*"}}}]}
        """;

    [Theory]
    [InlineData("system:serviceaccount:team:app", "sts.amazonaws.com", PolicyEffect.Allow)]
    [InlineData("system:serviceaccount:other:app", "sts.amazonaws.com", PolicyEffect.None)]
    [InlineData("system:serviceaccount:team:app", "someone-else", PolicyEffect.None)]
    public void TrustPolicies_MeetConditionsOnTheWebIdentitysKeys_AndNameFederatedPrincipals(string subject, string audience, PolicyEffect expected)
    {
        var policy = PolicyDocument.Parse(Trust, resourcePolicy: true);
        var context = new Dictionary<string, string> { ["issuer/x:sub"] = subject, ["ISSUER/X:AUD"] = audience }; // keys compare without case
        Assert.Equal(expected, policy.Evaluate("sts:AssumeRoleWithWebIdentity", "arn:aws:iam::000000000000:role/app",
            "arn:aws:iam::000000000000:oidc-provider/issuer/x", null, context));
        Assert.Equal(PolicyEffect.None, policy.Evaluate("sts:AssumeRoleWithWebIdentity", "arn:aws:iam::000000000000:role/app",
            "arn:aws:iam::000000000000:oidc-provider/other", null, context));
    }

    [Fact]
    public void AConditionOnAKeyTheRequestDoesNotGive_IsNotMet()
    {
        var policy = PolicyDocument.Parse("""{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:username":"x"}}}]}""",
            resourcePolicy: false);
        Assert.Equal(PolicyEffect.None, policy.Evaluate("ecr:PutImage", Repository));
    }
}
