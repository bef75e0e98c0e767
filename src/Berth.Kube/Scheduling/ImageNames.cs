namespace Berth.Kube.Scheduling;

/// <summary>Image references compared as kube-scheduler compares them: a name without a tag (or digest) is <c>:latest</c>.</summary>
internal static class ImageNames
{
    public static string Normalize(string image) =>
        image.LastIndexOf(':') <= image.LastIndexOf('/') ? image + ":latest" : image;
}
