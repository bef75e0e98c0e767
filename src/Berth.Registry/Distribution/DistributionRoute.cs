namespace Berth.Registry.Distribution;

internal enum RouteKind
{
    VersionCheck,
    Token,
    TagList,
    UploadStart,
    Upload,
    Blob,
    Manifest,
    Referrers,
}

/// <summary>
/// One distribution API path, read from its end: a repository name may have any number of components (even one
/// called <c>blobs</c>), but the operation's suffix is fixed, so the name is whatever comes before it.
/// </summary>
internal readonly record struct DistributionRoute(RouteKind Kind, string Name, string Argument)
{
    public static DistributionRoute? Parse(string path)
    {
        if (path is "/v2" or "/v2/")
        {
            return new DistributionRoute(RouteKind.VersionCheck, "", "");
        }
        if (path is TokenRequests.Path)
        {
            return new DistributionRoute(RouteKind.Token, "", "");
        }
        if (!path.StartsWith("/v2/", StringComparison.Ordinal))
        {
            return null;
        }
        var segments = path[4..].TrimEnd('/').Split('/');
        var n = segments.Length;
        string Name(int suffix) => string.Join('/', segments[..(n - suffix)]);
        if (n >= 3 && segments[^2] == "tags" && segments[^1] == "list")
        {
            return new DistributionRoute(RouteKind.TagList, Name(2), "");
        }
        if (n >= 3 && segments[^2] == "blobs" && segments[^1] == "uploads")
        {
            return new DistributionRoute(RouteKind.UploadStart, Name(2), "");
        }
        if (n >= 4 && segments[^3] == "blobs" && segments[^2] == "uploads")
        {
            return new DistributionRoute(RouteKind.Upload, Name(3), segments[^1]);
        }
        if (n >= 3)
        {
            RouteKind? kind = segments[^2] switch
            {
                "blobs" => RouteKind.Blob,
                "manifests" => RouteKind.Manifest,
                "referrers" => RouteKind.Referrers,
                _ => null,
            };
            if (kind is { } found)
            {
                return new DistributionRoute(found, Name(2), segments[^1]);
            }
        }
        return null;
    }
}
