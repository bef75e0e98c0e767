namespace Berth.Testing;

/// <summary>
/// The small image the end-to-end tests and the benchmarks run: Debian's static busybox (<c>sh</c>, <c>httpd</c>,
/// <c>nc</c> …) on an empty base, built locally so that nothing is pulled.
/// </summary>
public static class BusyboxImage
{
    /// <summary>Writes the image's build context under <paramref name="directory"/> and returns its path.</summary>
    public static async Task<string> WriteContextAsync(string directory, CancellationToken cancellationToken = default)
    {
        var context = Path.Combine(directory, "busybox-image");
        Directory.CreateDirectory(context);
        File.Copy("/usr/bin/busybox", Path.Combine(context, "busybox"), overwrite: true);
        await File.WriteAllTextAsync(Path.Combine(context, "Containerfile"), """
            FROM scratch
            COPY busybox /bin/busybox
            RUN ["/bin/busybox", "--install", "-s", "/bin"]
            CMD ["sh"]
            """, cancellationToken);
        return context;
    }
}
