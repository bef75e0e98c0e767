using Berth.Aws.Ecr;
using Berth.Aws.Endpoint;

namespace Berth.Aws.Tests.Ecr;

public sealed class RepositoryPolicyTests
{
    private const string Caller = "arn:aws:iam::111111111111:user/ci";
    private const string Account = "111111111111";

    [Theory]
    [InlineData("""{"Statement":{"Effect":"Deny","Principal":"*","Action":"ecr:BatchGetImage"}}""", "ecr:BatchGetImage", true)]
    [InlineData("""{"Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111111111111:user/ci"},"Action":["ecr:Put*"]}]}""", "ecr:PutImage", true)]
    [InlineData("""{"Statement":[{"Effect":"Deny","Principal":{"AWS":["111111111111"]},"Action":"ECR:*"}]}""", "ecr:BatchDeleteImage", true)]
    [InlineData("""{"Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"ecr:*"}]}""", "ecr:BatchGetImage", false)]
    [InlineData("""{"Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:PutImage"}]}""", "ecr:BatchGetImage", false)]
    [InlineData("""{"Statement":[{"Effect":"Deny","Principal":"*","NotAction":"ecr:BatchGetImage"}]}""", "ecr:BatchGetImage", false)]
    [InlineData("""{"Statement":[{"Effect":"Deny","Principal":"*","NotAction":"ecr:BatchGetImage"}]}""", "ecr:PutImage", true)]
    [InlineData("""{"Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:*"}]}""", "ecr:PutImage", false)]
    [InlineData("""{"Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}}]}""", "ecr:PutImage", false)]
    public void OnlyAMatchingDenyStatementDeniesTheAccountsOwnCallers(string policy, string action, bool denied)
    {
        RepositoryPolicy.Validate(policy);
        Assert.Equal(denied, RepositoryPolicy.Denies(policy, "arn:aws:ecr:us-east-1:111111111111:repository/app", Caller, Account, action));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("not json")]
    [InlineData("""{"Statement":[]}""")]
    [InlineData("""{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"ecr:*"}]}""")]
    [InlineData("""{"Statement":[{"Effect":"Deny","Action":"ecr:*"}]}""")]
    [InlineData("""{"Statement":[{"Effect":"Deny","Principal":"*"}]}""")]
    public void PoliciesEcrRefuses_AreInvalidParameters(string policy)
    {
        var error = Assert.Throws<AwsException>(() => RepositoryPolicy.Validate(policy));
        Assert.Equal("InvalidParameterException", error.Code);
    }
}
