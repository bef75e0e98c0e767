using System.Text.Json.Nodes;
using Berth.Aws.Endpoint;
using Berth.Aws.Iam;
using Microsoft.AspNetCore.Http;

namespace Berth.Aws.Ecr;

/// <summary>
/// Amazon ECR's API (JSON 1.1, <c>AmazonEC2ContainerRegistry_V20150921</c>): repositories, images, layers, policies and
/// authorization tokens. Operations it does not list answer ECR's own UnknownOperationException.
/// </summary>
internal sealed class EcrService(
    RepositoryOperations repositories, ImageOperations images, LayerOperations layers, PolicyOperations policies, AuthorizationTokens tokens,
    IdentityAuthorizer authorizer) : IAwsService
{
    private const string TargetPrefix = "AmazonEC2ContainerRegistry_V20150921";

    /// <summary>The operations served; the compatibility table lists the same.</summary>
    public static readonly IReadOnlyList<string> Operations =
    [
        "CreateRepository", "DescribeRepositories", "DeleteRepository", "PutImageTagMutability", "PutImageScanningConfiguration",
        "TagResource", "UntagResource", "ListTagsForResource",
        "ListImages", "DescribeImages", "BatchGetImage", "BatchDeleteImage", "PutImage",
        "InitiateLayerUpload", "UploadLayerPart", "CompleteLayerUpload", "BatchCheckLayerAvailability", "GetDownloadUrlForLayer",
        "PutLifecyclePolicy", "GetLifecyclePolicy", "DeleteLifecyclePolicy",
        "SetRepositoryPolicy", "GetRepositoryPolicy", "DeleteRepositoryPolicy",
        "GetAuthorizationToken",
    ];

    public string SigningName => "ecr";

    public AwsProtocol Protocol => AwsProtocol.Json;

    public async Task HandleAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var operation = JsonProtocol.Operation(request, TargetPrefix);
        var input = JsonProtocol.Input(request);
        if (Operations.Contains(operation) && await authorizer.RefusalAsync(request.Caller, "ecr:" + operation, ResourceOf(request, input), cancellationToken) is { } refusal)
        {
            throw new AwsException("AccessDeniedException", refusal);
        }
        var result = await (operation switch
        {
            "CreateRepository" => repositories.CreateAsync(request, input, cancellationToken),
            "DescribeRepositories" => repositories.DescribeAsync(request, input, cancellationToken),
            "DeleteRepository" => repositories.DeleteAsync(request, input, cancellationToken),
            "PutImageTagMutability" => repositories.PutImageTagMutabilityAsync(request, input, cancellationToken),
            "PutImageScanningConfiguration" => repositories.PutImageScanningConfigurationAsync(request, input, cancellationToken),
            "TagResource" => repositories.TagResourceAsync(request, input, cancellationToken),
            "UntagResource" => repositories.UntagResourceAsync(request, input, cancellationToken),
            "ListTagsForResource" => repositories.ListTagsForResourceAsync(request, input, cancellationToken),
            "ListImages" => images.ListImagesAsync(request, input, cancellationToken),
            "DescribeImages" => images.DescribeImagesAsync(request, input, cancellationToken),
            "BatchGetImage" => images.BatchGetImageAsync(request, input, cancellationToken),
            "BatchDeleteImage" => images.BatchDeleteImageAsync(request, input, cancellationToken),
            "PutImage" => images.PutImageAsync(request, input, cancellationToken),
            "InitiateLayerUpload" => layers.InitiateLayerUploadAsync(request, input, cancellationToken),
            "UploadLayerPart" => layers.UploadLayerPartAsync(request, input, cancellationToken),
            "CompleteLayerUpload" => layers.CompleteLayerUploadAsync(request, input, cancellationToken),
            "BatchCheckLayerAvailability" => layers.BatchCheckLayerAvailabilityAsync(request, input, cancellationToken),
            "GetDownloadUrlForLayer" => layers.GetDownloadUrlForLayerAsync(request, input, cancellationToken),
            "PutLifecyclePolicy" => policies.PutLifecyclePolicyAsync(request, input, cancellationToken),
            "GetLifecyclePolicy" => policies.GetLifecyclePolicyAsync(request, input, cancellationToken),
            "DeleteLifecyclePolicy" => policies.DeleteLifecyclePolicyAsync(request, input, cancellationToken),
            "SetRepositoryPolicy" => policies.SetRepositoryPolicyAsync(request, input, cancellationToken),
            "GetRepositoryPolicy" => policies.GetRepositoryPolicyAsync(request, input, cancellationToken),
            "DeleteRepositoryPolicy" => policies.DeleteRepositoryPolicyAsync(request, input, cancellationToken),
            "GetAuthorizationToken" => Task.FromResult(GetAuthorizationToken(request)),
            _ => throw new AwsException("UnknownOperationException", $"Unknown operation {TargetPrefix}.{operation}"),
        });
        await JsonProtocol.WriteResultAsync(request.Http.Response, result, cancellationToken);
    }

    public Task WriteErrorAsync(HttpResponse response, AwsException failure, string requestId, CancellationToken cancellationToken) =>
        JsonProtocol.WriteErrorAsync(response, failure, cancellationToken);

    /// <summary>The repository an operation acts on, for the caller's policies: by its name or ARN in the input, else <c>*</c>.</summary>
    private static string ResourceOf(AwsRequest request, JsonObject input) =>
        input["repositoryName"] is JsonValue name && name.TryGetValue<string>(out var repository)
            ? $"arn:aws:ecr:{request.Region}:{JsonInput.Text(input, "registryId") ?? request.Caller.AccountId}:repository/{repository}"
            : input["resourceArn"] is JsonValue arn && arn.TryGetValue<string>(out var resourceArn) ? resourceArn : "*";

    /// <summary>One token for the caller's registry in this region (<c>registryIds</c> is deprecated and every id is the caller's).</summary>
    private JsonObject GetAuthorizationToken(AwsRequest request)
    {
        var (password, expiresAt) = tokens.Issue(request.Caller, request.Region);
        return new JsonObject
        {
            ["authorizationData"] = new JsonArray(new JsonObject
            {
                ["authorizationToken"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"AWS:{password}")),
                ["expiresAt"] = expiresAt.ToUnixTimeSeconds(),
                ["proxyEndpoint"] = $"{request.Http.Request.Scheme}://{request.Http.Request.Host}",
            }),
        };
    }
}
