using System.Formats.Tar;
using System.Text;

namespace Berth.Agent.Runtime;

/// <summary>
/// The image of pod sandboxes: nothing but a static init that waits (catatonit in pause mode, which Podman itself
/// ships for its pods' infra containers), built locally so that no registry is needed to run a pod.
/// </summary>
internal static class PauseImage
{
    public const string Reference = "localhost/berth/pause:1.0";

    private static readonly string[] s_candidates = ["/usr/libexec/podman/catatonit", "/usr/bin/catatonit"];

    /// <summary>The build context: a Dockerfile and the init binary, as a tar stream.</summary>
    public static MemoryStream BuildContext()
    {
        var init = s_candidates.FirstOrDefault(File.Exists)
            ?? throw new RuntimeException($"no catatonit for the pod sandbox image (looked at {string.Join(", ", s_candidates)}); install the catatonit package");
        var context = new MemoryStream();
        using (var tar = new TarWriter(context, TarEntryFormat.Pax, leaveOpen: true))
        {
            var dockerfile = Encoding.UTF8.GetBytes("FROM scratch\nCOPY catatonit /catatonit\nENTRYPOINT [\"/catatonit\", \"-P\"]\n");
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "Dockerfile") { DataStream = new MemoryStream(dockerfile) });
            using var binary = File.OpenRead(init);
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "catatonit")
            {
                DataStream = binary,
                Mode = UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                    | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
            });
        }
        context.Position = 0;
        return context;
    }
}
