namespace Berth.Aws.Endpoint;

/// <summary>The wire protocols of AWS services; each has its own shape of errors.</summary>
public enum AwsProtocol
{
    /// <summary>Form-encoded <c>Action</c> parameters, XML answers (STS, IAM, Auto Scaling, EC2).</summary>
    Query,

    /// <summary>JSON bodies named by <c>X-Amz-Target</c> (ECR, ECS).</summary>
    Json,

    /// <summary>Resources in the path, JSON bodies (EKS).</summary>
    RestJson,
}
