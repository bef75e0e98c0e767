using Berth.Registry.Content;

namespace Berth.Aws.Ecr;

/// <summary>An ECR image: a manifest of the repository and the tags that name it.</summary>
public sealed record Image(StoredManifest Manifest, IReadOnlyList<string> Tags);

/// <summary>A repository's content seen as ECR's images.</summary>
public sealed class Images(RepositoryContent content)
{
    /// <summary>Every image of the repository, newest push first.</summary>
    public async Task<List<Image>> ListAsync(RegistryRepository view, CancellationToken cancellationToken)
    {
        var tags = (await content.ListTagsAsync(view, cancellationToken)).ToLookup(t => t.Target.Digest, t => t.Tag, StringComparer.Ordinal);
        return (await content.ListManifestsAsync(view, cancellationToken))
            .Select(m => new Image(m, tags[m.Digest].ToList()))
            .OrderByDescending(i => i.Manifest.PushedAt)
            .ToList();
    }
}
