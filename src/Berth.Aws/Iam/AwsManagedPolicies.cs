namespace Berth.Aws.Iam;

/// <summary>The AWS managed policies Berth knows, with AWS's names and the statements that matter to the services Berth serves.</summary>
public static class AwsManagedPolicies
{
    private static readonly DateTimeOffset s_published = new(2015, 2, 6, 18, 39, 46, TimeSpan.Zero);

    private const string EcrRead = "\"ecr:GetAuthorizationToken\",\"ecr:BatchCheckLayerAvailability\",\"ecr:GetDownloadUrlForLayer\","
        + "\"ecr:GetRepositoryPolicy\",\"ecr:DescribeRepositories\",\"ecr:ListImages\",\"ecr:DescribeImages\",\"ecr:BatchGetImage\","
        + "\"ecr:GetLifecyclePolicy\",\"ecr:GetLifecyclePolicyPreview\",\"ecr:ListTagsForResource\",\"ecr:DescribeImageScanFindings\"";

    public static IReadOnlyList<ManagedPolicy> All { get; } =
    [
        Policy("AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"""),
        Policy("AmazonEC2ContainerRegistryFullAccess", "ANPAIESRL7KD7IIVF6V4W", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:*"],"Resource":"*"}]}"""),
        Policy("AmazonEC2ContainerRegistryReadOnly", "ANPAIFYZPA37OOHVIH7KQ", $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[{{EcrRead}}],"Resource":"*"}]}"""),
        Policy("AmazonEC2ContainerRegistryPowerUser", "ANPAJDNE5PIHROIBGGDDW",
            $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[{{EcrRead}},"ecr:InitiateLayerUpload","ecr:UploadLayerPart","ecr:CompleteLayerUpload","ecr:PutImage"],"Resource":"*"}]}"""),
    ];

    public static ManagedPolicy? Find(string arn) => All.FirstOrDefault(p => p.Arn == arn);

    private static ManagedPolicy Policy(string name, string id, string document) =>
        new() { PolicyName = name, PolicyId = id, Document = document, CreateDate = s_published };
}
