using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Berth.Bench.Network;

/// <summary>
/// The serving pod's image: Debian's lighttpd (keep-alive HTTP/1.1, so wrk measures the path and not the kernel's
/// TIME_WAIT bookkeeping of one connection per request), taken from its package with <c>apt-get download</c> (nothing
/// is installed or started on the host) with the libraries <c>ldd</c> names, on an empty base, serving a small page
/// on port 8080.
/// </summary>
internal static partial class BackendImage
{
    private const string Binary = "usr/sbin/lighttpd";

    public static async Task BuildAsync(PodmanCli podman, string directory, string tag)
    {
        var work = Directory.CreateDirectory(Path.Combine(directory, "lighttpd")).FullName;
        await RunAsync(work, "apt-get", "download", "lighttpd");
        var package = Directory.GetFiles(work, "lighttpd_*.deb").Single();
        var extracted = Path.Combine(work, "package");
        await RunAsync(work, "dpkg-deb", "-x", package, extracted);
        var rootfs = Path.Combine(work, "context", "rootfs");
        Copy(Path.Combine(extracted, Binary), Path.Combine(rootfs, Binary));
        foreach (Match library in Library().Matches(await RunAsync(work, "ldd", Path.Combine(extracted, Binary))))
        {
            Copy(library.Value, Path.Combine(rootfs, library.Value.TrimStart('/')));
        }
        Directory.CreateDirectory(Path.Combine(rootfs, "var", "tmp"));
        Directory.CreateDirectory(Path.Combine(rootfs, "www"));
        Directory.CreateDirectory(Path.Combine(rootfs, "etc"));
        await File.WriteAllTextAsync(Path.Combine(rootfs, "www", "index.html"), "hello\n");
        await File.WriteAllTextAsync(Path.Combine(rootfs, "etc", "lighttpd.conf"), """
            server.document-root = "/www"
            server.port = 8080
            server.modules = ()
            index-file.names = ("index.html")
            server.errorlog = "/dev/stderr"
            """);
        await File.WriteAllTextAsync(Path.Combine(work, "context", "Containerfile"), """
            FROM scratch
            COPY rootfs/ /
            ENTRYPOINT ["/usr/sbin/lighttpd", "-D", "-f", "/etc/lighttpd.conf"]
            """);
        await podman.RunAsync("build", "-q", "-t", tag, Path.Combine(work, "context"));
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to, overwrite: true); // File.Copy follows a library's symlink to its file
    }

    private static async Task<string> RunAsync(string directory, string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} could not be started");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? await output : throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}");
    }

    [GeneratedRegex(@"(?<==> |^\s*)/\S+", RegexOptions.Multiline)]
    private static partial Regex Library();
}
