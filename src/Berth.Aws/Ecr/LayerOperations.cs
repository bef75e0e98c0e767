using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Aws.Endpoint;
using Berth.Registry.Content;
using Berth.Registry.Storage;
using static Berth.Aws.Ecr.EcrInput;
using static Berth.Aws.Endpoint.JsonInput;

namespace Berth.Aws.Ecr;

/// <summary>
/// ECR's layer operations, the API form of a blob push and pull: uploads in parts over the registry's blob store,
/// availability checks, and where to download a layer.
/// </summary>
internal sealed class LayerOperations(Repositories repositories, RepositoryContent content)
{
    /// <summary>The part size suggested to clients: base64 of it stays inside the endpoint's body limit.</summary>
    public const int PartSize = 20 * 1024 * 1024;

    private BlobStore Blobs => content.Blobs;

    public async Task<JsonObject> InitiateLayerUploadAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var (_, view) = await repositories.ForRequestAsync(request, input, "ecr:InitiateLayerUpload", cancellationToken);
        return new JsonObject { ["uploadId"] = content.StartUpload(view), ["partSize"] = PartSize };
    }

    public async Task<JsonObject> UploadLayerPartAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var (repository, view) = await repositories.ForRequestAsync(request, input, "ecr:UploadLayerPart", cancellationToken);
        var uploadId = Upload(input, view, repository);
        var first = Value<long>(input, "partFirstByte") ?? throw Missing("partFirstByte");
        var last = Value<long>(input, "partLastByte") ?? throw Missing("partLastByte");
        byte[] part;
        try
        {
            part = Convert.FromBase64String(Text(input, "layerPartBlob") ?? throw Missing("layerPartBlob"));
        }
        catch (FormatException)
        {
            throw new AwsException("SerializationException", "'layerPartBlob' must be base64-encoded bytes");
        }
        if (first < 0 || last - first + 1 != part.Length)
        {
            throw new AwsException("InvalidLayerPartException",
                $"The layer part size is not valid: partFirstByte {first} and partLastByte {last} do not span the {part.Length} bytes sent");
        }
        long size;
        try
        {
            size = await Blobs.AppendAsync(uploadId, new MemoryStream(part), first, cancellationToken);
        }
        catch (BlobStoreException e) when (e.Error == BlobStoreError.RangeInvalid)
        {
            var received = e.UploadSize.GetValueOrDefault() - 1;
            throw new AwsException("InvalidLayerPartException",
                $"The part's first byte {first} does not follow the last byte received, {received.ToString(CultureInfo.InvariantCulture)}");
        }
        catch (BlobStoreException e)
        {
            throw UploadError(e, uploadId);
        }
        var answer = UploadAnswer(repository, uploadId);
        answer["lastByteReceived"] = size - 1;
        return answer;
    }

    public async Task<JsonObject> CompleteLayerUploadAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var (repository, view) = await repositories.ForRequestAsync(request, input, "ecr:CompleteLayerUpload", cancellationToken);
        var uploadId = Upload(input, view, repository);
        var digests = Strings(input, "layerDigests") ?? throw Missing("layerDigests");
        if (digests.Count != 1 || !Digest.TryParse(digests[0], out var digest))
        {
            throw new AwsException("InvalidLayerException", "Exactly one valid layer digest (sha256:<64 hex>) must be given");
        }
        if (Blobs.UploadSize(uploadId) == 0)
        {
            throw new AwsException("EmptyUploadException", $"The upload with id '{uploadId}' contains no layer parts");
        }
        if (await content.FindBlobAsync(view, digest, cancellationToken) is not null)
        {
            await Blobs.CancelUploadAsync(uploadId, cancellationToken);
            throw new AwsException("LayerAlreadyExistsException", $"The layer {digest} already exists in the repository with name '{repository.Name}'");
        }
        try
        {
            await content.CompleteUploadAsync(view, uploadId, digest, last: null, offset: null, cancellationToken);
        }
        catch (BlobStoreException e) when (e.Error == BlobStoreError.DigestMismatch)
        {
            throw new AwsException("InvalidLayerException", $"The layer digest calculated for the uploaded layer does not match the digest given: {e.Message}");
        }
        catch (BlobStoreException e)
        {
            throw UploadError(e, uploadId);
        }
        var answer = UploadAnswer(repository, uploadId);
        answer["layerDigest"] = digest.ToString();
        return answer;
    }

    public async Task<JsonObject> BatchCheckLayerAvailabilityAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var (_, view) = await repositories.ForRequestAsync(request, input, "ecr:BatchCheckLayerAvailability", cancellationToken);
        var layers = new JsonArray();
        var failures = new JsonArray();
        foreach (var text in Strings(input, "layerDigests") ?? throw Missing("layerDigests"))
        {
            if (!Digest.TryParse(text, out var digest))
            {
                failures.Add(new JsonObject { ["layerDigest"] = text, ["failureCode"] = "InvalidLayerDigest", ["failureReason"] = "Invalid layer digest" });
            }
            else if (await content.FindBlobAsync(view, digest, cancellationToken) is { } blob)
            {
                layers.Add(new JsonObject { ["layerDigest"] = text, ["layerAvailability"] = "AVAILABLE", ["layerSize"] = blob.Size });
            }
            else
            {
                failures.Add(new JsonObject { ["layerDigest"] = text, ["failureCode"] = "MissingLayerDigest", ["failureReason"] = "Could not find layer" });
            }
        }
        return new JsonObject { ["layers"] = layers, ["failures"] = failures };
    }

    /// <summary>The registry's URL of the layer; it takes the same login as every registry request.</summary>
    public async Task<JsonObject> GetDownloadUrlForLayerAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var (repository, view) = await repositories.ForRequestAsync(request, input, "ecr:GetDownloadUrlForLayer", cancellationToken);
        var text = Text(input, "layerDigest") ?? throw Missing("layerDigest");
        if (!Digest.TryParse(text, out var digest))
        {
            throw new AwsException("InvalidParameterException", $"Invalid parameter at 'layerDigest' failed to satisfy constraint: 'Invalid layer digest {text}'");
        }
        if (await content.FindBlobAsync(view, digest, cancellationToken) is null)
        {
            throw new AwsException("LayersNotFoundException", $"The specified layer {text} does not exist in the repository with name '{repository.Name}'");
        }
        var http = request.Http.Request;
        return new JsonObject { ["downloadUrl"] = $"{http.Scheme}://{http.Host}/v2/{repository.Name}/blobs/{digest}", ["layerDigest"] = text };
    }

    /// <summary>The upload id of the request, which must be an upload started in this repository.</summary>
    private string Upload(JsonObject input, RegistryRepository view, Repository repository)
    {
        var id = Text(input, "uploadId") ?? throw Missing("uploadId");
        return content.UploadSize(view, id) is not null ? id
            : throw new AwsException("UploadNotFoundException", $"The upload with id '{id}' does not exist in the repository with name '{repository.Name}'");
    }

    private static JsonObject UploadAnswer(Repository repository, string uploadId) =>
        new() { ["registryId"] = repository.AccountId, ["repositoryName"] = repository.Name, ["uploadId"] = uploadId };

    private static AwsException UploadError(BlobStoreException e, string uploadId) => e.Error switch
    {
        BlobStoreError.UploadUnknown => new AwsException("UploadNotFoundException", $"The upload with id '{uploadId}' does not exist"),
        _ => new AwsException("InvalidLayerPartException", e.Message),
    };
}
