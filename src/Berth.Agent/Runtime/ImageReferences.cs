namespace Berth.Agent.Runtime;

/// <summary>Which registry an image reference names, by the rules of Docker's references.</summary>
public static class ImageReferences
{
    public const string DockerHub = "docker.io";

    /// <summary>
    /// The registry host of <paramref name="image"/>: its first path component when that looks like a host (has a
    /// dot or a port, or is <c>localhost</c>), else Docker Hub.
    /// </summary>
    public static string Registry(string image)
    {
        var slash = image.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return DockerHub;
        }
        var first = image[..slash];
        return first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost" ? first : DockerHub;
    }

    /// <summary>
    /// Whether <paramref name="registry"/> (a host with an optional port) is on this machine's loopback: Docker's
    /// default insecure registries (127.0.0.0/8), spoken to over plain HTTP.
    /// </summary>
    public static bool IsLoopback(string registry)
    {
        var host = registry.StartsWith('[') ? registry[1..registry.IndexOf(']', StringComparison.Ordinal)]
            : registry.Split(':', 2)[0];
        return host == "localhost" || (System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address));
    }

    /// <summary>
    /// Whether a key of a docker config's <c>auths</c> (a host, or a URL such as <c>https://index.docker.io/v1/</c>)
    /// names <paramref name="registry"/>.
    /// </summary>
    public static bool SameRegistry(string authKey, string registry) =>
        string.Equals(Normalize(authKey), Normalize(registry), StringComparison.OrdinalIgnoreCase);

    private static string Normalize(string key)
    {
        var host = key;
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            host = host[(scheme + 3)..];
        }
        var slash = host.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            host = host[..slash];
        }
        return host is "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" ? DockerHub : host;
    }

    /// <summary>
    /// The reference's tag: null when it has neither tag nor digest (so it means <c>latest</c>), empty when it has
    /// only a digest.
    /// </summary>
    public static string? Tag(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var name = at >= 0 ? image[..at] : image;
        var colon = name.LastIndexOf(':');
        if (colon > name.LastIndexOf('/'))
        {
            return name[(colon + 1)..];
        }
        return at >= 0 ? "" : null;
    }
}
