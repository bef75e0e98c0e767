using System.Text;
using System.Text.Json.Nodes;
using Berth.Aws.Endpoint;
using Berth.Registry.Content;
using Berth.Registry.Storage;
using static Berth.Aws.Ecr.EcrInput;
using static Berth.Aws.Endpoint.JsonInput;

namespace Berth.Aws.Ecr;

/// <summary>ECR's image operations over the registry's content: list, describe, get, put, delete.</summary>
internal sealed class ImageOperations(Repositories repositories, RepositoryContent content, Images catalog)
{
    public async Task<JsonObject> ListImagesAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var (repository, view) = await repositories.ForRequestAsync(request, input, "ecr:ListImages", cancellationToken);
        var tagStatus = TagStatus(input);
        var images = await catalog.ListAsync(view, cancellationToken);
        var ids = new List<JsonObject>();
        foreach (var image in images)
        {
            if (image.Tags.Count == 0 && tagStatus is "UNTAGGED" or "ANY")
            {
                ids.Add(ImageId(image.Manifest.Digest, null));
            }
            else if (image.Tags.Count > 0 && tagStatus is "TAGGED" or "ANY")
            {
                ids.AddRange(image.Tags.Select(t => ImageId(image.Manifest.Digest, t)));
            }
        }
        return Page(input, ids, "imageIds", id => id);
    }

    public async Task<JsonObject> DescribeImagesAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var (repository, view) = await repositories.ForRequestAsync(request, input, "ecr:DescribeImages", cancellationToken);
        var images = await catalog.ListAsync(view, cancellationToken);
        List<Image> chosen;
        if (input["imageIds"] is not null)
        {
            chosen = Objects(input, "imageIds").Select(id => Find(images, id) ?? throw new AwsException("ImageNotFoundException",
                $"The image with imageId {{imageDigest:'{Text(id, "imageDigest") ?? "null"}', imageTag:'{Text(id, "imageTag") ?? "null"}'}} does not exist within the repository with name '{repository.Name}' in the registry with id '{repository.AccountId}'"))
                .Distinct().ToList();
        }
        else
        {
            var tagStatus = TagStatus(input);
            chosen = images.Where(i => tagStatus == "ANY" || (tagStatus == "TAGGED") == (i.Tags.Count > 0)).ToList();
        }
        return Page(input, chosen, "imageDetails", image => Details(repository, image));
    }

    public async Task<JsonObject> BatchGetImageAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var (repository, view) = await repositories.ForRequestAsync(request, input, "ecr:BatchGetImage", cancellationToken);
        var images = await catalog.ListAsync(view, cancellationToken);
        var found = new JsonArray();
        var failures = new JsonArray();
        foreach (var id in ImageIds(input))
        {
            if (Failure(images, id) is { } failure)
            {
                failures.Add(failure);
                continue;
            }
            var image = Find(images, id)!;
            found.Add(new JsonObject
            {
                ["registryId"] = repository.AccountId,
                ["repositoryName"] = repository.Name,
                ["imageId"] = ImageId(image.Manifest.Digest, Text(id, "imageTag")),
                ["imageManifest"] = Encoding.UTF8.GetString(image.Manifest.Content),
                ["imageManifestMediaType"] = image.Manifest.MediaType,
            });
        }
        return new JsonObject { ["images"] = found, ["failures"] = failures };
    }

    /// <summary>
    /// Deletes images by digest (with all their tags) or tags; as in ECR, removing an image's last tag deletes the image.
    /// </summary>
    public async Task<JsonObject> BatchDeleteImageAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var (repository, view) = await repositories.ForRequestAsync(request, input, "ecr:BatchDeleteImage", cancellationToken);
        var deleted = new JsonArray();
        var failures = new JsonArray();
        foreach (var id in ImageIds(input))
        {
            var images = await catalog.ListAsync(view, cancellationToken);
            if (Failure(images, id) is { } failure)
            {
                failures.Add(failure);
                continue;
            }
            var image = Find(images, id)!;
            var digest = Digest.Parse(image.Manifest.Digest);
            if (Text(id, "imageTag") is { } tag && Text(id, "imageDigest") is null && image.Tags.Count > 1)
            {
                await content.DeleteTagAsync(view, tag, cancellationToken);
                deleted.Add(ImageId(image.Manifest.Digest, tag));
                continue;
            }
            await content.DeleteManifestAsync(view, digest, cancellationToken);
            if (image.Tags.Count == 0)
            {
                deleted.Add(ImageId(image.Manifest.Digest, null));
            }
            foreach (var removed in image.Tags)
            {
                deleted.Add(ImageId(image.Manifest.Digest, removed));
            }
        }
        return new JsonObject { ["imageIds"] = deleted, ["failures"] = failures };
    }

    public async Task<JsonObject> PutImageAsync(AwsRequest request, JsonObject input, CancellationToken cancellationToken)
    {
        var (repository, view) = await repositories.ForRequestAsync(request, input, "ecr:PutImage", cancellationToken);
        var manifest = Encoding.UTF8.GetBytes(Text(input, "imageManifest") ?? throw Missing("imageManifest"));
        var tag = Text(input, "imageTag");
        var declaredDigest = Text(input, "imageDigest");
        var digest = Digest.Compute(manifest);
        if (declaredDigest is not null && (!Digest.TryParse(declaredDigest, out var declared) || Digest.Compute(manifest, declared.Algorithm) != declared))
        {
            throw new AwsException("ImageDigestDoesNotMatchException",
                $"Invalid parameter at 'imageDigest' failed to satisfy constraint: 'The digest {declaredDigest} does not match the digest of the image manifest'");
        }
        if (await content.FindManifestAsync(view, digest, cancellationToken) is not null
            && (tag is null || (await content.FindTagAsync(view, tag, cancellationToken))?.Digest == digest.ToString()))
        {
            throw new AwsException("ImageAlreadyExistsException",
                $"Image with digest '{digest}' {(tag is null ? "" : $"and tag '{tag}' ")}already exists in the repository with name '{repository.Name}' in registry with id '{repository.AccountId}'");
        }
        StoredManifest stored;
        try
        {
            stored = await content.PutManifestAsync(view, tag ?? declaredDigest ?? digest.ToString(), manifest, Text(input, "imageManifestMediaType"), cancellationToken);
        }
        catch (ContentException e)
        {
            throw ErrorOf(e, repository);
        }
        return new JsonObject
        {
            ["image"] = new JsonObject
            {
                ["registryId"] = repository.AccountId,
                ["repositoryName"] = repository.Name,
                ["imageId"] = ImageId(stored.Digest, tag),
                ["imageManifest"] = Encoding.UTF8.GetString(stored.Content),
                ["imageManifestMediaType"] = stored.MediaType,
            },
        };
    }

    private static JsonObject Details(Repository repository, Image image)
    {
        var details = new JsonObject
        {
            ["registryId"] = repository.AccountId,
            ["repositoryName"] = repository.Name,
            ["imageDigest"] = image.Manifest.Digest,
            ["imageSizeInBytes"] = image.Manifest.ImageSize,
            ["imagePushedAt"] = Timestamp(image.Manifest.PushedAt),
            ["imageManifestMediaType"] = image.Manifest.MediaType,
        };
        if (image.Tags.Count > 0)
        {
            details["imageTags"] = new JsonArray(image.Tags.Select(t => (JsonNode)t).ToArray());
        }
        if (image.Manifest.ArtifactType is { } artifactType && !ManifestMediaTypes.IsIndex(image.Manifest.MediaType))
        {
            details["artifactMediaType"] = artifactType;
        }
        return details;
    }

    private static List<JsonObject> ImageIds(JsonObject input)
    {
        var ids = Objects(input, "imageIds");
        return ids.Count is > 0 and <= 100 ? ids : throw Invalid("imageIds", $"[{ids.Count} items]", "Member must have length between 1 and 100");
    }

    private static Image? Find(List<Image> images, JsonObject id)
    {
        var digest = Text(id, "imageDigest");
        var tag = Text(id, "imageTag");
        return images.FirstOrDefault(i => (digest is null || i.Manifest.Digest == digest) && (tag is null || i.Tags.Contains(tag)) && (digest ?? tag) is not null);
    }

    /// <summary>Why an image id of a batch names no image, in ECR's failure codes; null when it names one.</summary>
    private static JsonObject? Failure(List<Image> images, JsonObject id)
    {
        var digest = Text(id, "imageDigest");
        var tag = Text(id, "imageTag");
        var (code, reason) = (digest, tag) switch
        {
            (null, null) => ("MissingDigestAndTag", "Missing digest and tag"),
            ({ } d, _) when !Digest.TryParse(d, out _) => ("InvalidImageDigest", "Invalid image digest"),
            (_, { } t) when !RegistryRepository.IsValidTag(t) => ("InvalidImageTag", "Invalid image tag"),
            ({ } d, { } t) when images.Any(i => i.Manifest.Digest == d) && images.Any(i => i.Tags.Contains(t)) && Find(images, id) is null
                => ("ImageTagDoesNotMatchDigest", "Image tag does not match digest"),
            _ when Find(images, id) is null => ("ImageNotFound", "Requested image not found"),
            _ => (null, null),
        };
        if (code is null)
        {
            return null;
        }
        return new JsonObject { ["imageId"] = ImageId(digest, tag), ["failureCode"] = code, ["failureReason"] = reason };
    }

    /// <summary>An image id with the members that are known, as ECR writes it.</summary>
    private static JsonObject ImageId(string? digest, string? tag)
    {
        var imageId = new JsonObject();
        if (digest is not null)
        {
            imageId["imageDigest"] = digest;
        }
        if (tag is not null)
        {
            imageId["imageTag"] = tag;
        }
        return imageId;
    }

    private static string TagStatus(JsonObject input)
    {
        var status = input["filter"] is JsonObject filter ? Text(filter, "tagStatus") ?? "ANY" : "ANY";
        return status is "TAGGED" or "UNTAGGED" or "ANY" ? status : throw Invalid("filter.tagStatus", status, "Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]");
    }

    private static AwsException ErrorOf(ContentException e, Repository repository) => e.Error switch
    {
        ContentError.ManifestBlobUnknown => new AwsException("LayersNotFoundException", $"Layers not found in the repository with name '{repository.Name}' in the registry with id '{repository.AccountId}': {e.Message}"),
        ContentError.ReferencedManifestUnknown => new AwsException("ReferencedImagesNotFoundException", $"Images referenced by the manifest list are not in the repository with name '{repository.Name}': {e.Message}"),
        ContentError.TagInvalid when e.TagAlreadyExists => new AwsException("ImageTagAlreadyExistsException", e.Message),
        ContentError.DigestInvalid => new AwsException("ImageDigestDoesNotMatchException", e.Message),
        ContentError.TagConflict => new AwsException("LimitExceededException", e.Message),
        _ => new AwsException("InvalidParameterException", $"Invalid parameter at 'ImageManifest' failed to satisfy constraint: '{e.Message}'"),
    };
}
