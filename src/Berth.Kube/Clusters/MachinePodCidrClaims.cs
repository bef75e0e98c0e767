using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Kube.Clusters;

/// <summary>
/// Which installation of this machine holds which /16 of the pod pool: their bridges share the host's routes, so two
/// installations must never hold the same one. A claim file per /16 names the data folder that holds it; a claim whose
/// data folder is gone is taken over. Claims are read, made, taken over and dropped under one machine-wide lock (an
/// exclusive <c>flock</c> of <c>.lock</c>): a check and the write that follows it cannot interleave with another
/// installation's.
/// </summary>
internal sealed class MachinePodCidrClaims(string directory)
{
    /// <summary>How long a claim waits for another installation's to finish: far longer than a few file operations take.</summary>
    private static readonly TimeSpan s_lockWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Claims the /16 for the installation in <paramref name="dataDirectory"/>: true when the claim is made now, is this
    /// installation's already (its own store says which of its clusters has it), or was another's whose data folder is gone.
    /// </summary>
    public async Task<bool> TryClaimAsync(int index, string dataDirectory, string uid, CancellationToken cancellationToken)
    {
        using var machineLock = await LockAsync(cancellationToken);
        if (Read(index) is { } claim && (claim.DataDirectory == dataDirectory || Directory.Exists(claim.DataDirectory)))
        {
            return claim.DataDirectory == dataDirectory;
        }
        // written whole beside it, then moved in place: no one reads a half-written claim
        var written = Path.Combine(directory, $".{index}.{Guid.NewGuid():N}");
        File.WriteAllText(written, new JsonObject { ["dataDirectory"] = dataDirectory, ["uid"] = uid }.ToJsonString());
        File.Move(written, PathOf(index), overwrite: true);
        return true;
    }

    /// <summary>Drops the claim on the /16 when the installation in <paramref name="dataDirectory"/> holds it.</summary>
    public async Task ReleaseAsync(int index, string dataDirectory, CancellationToken cancellationToken)
    {
        using var machineLock = await LockAsync(cancellationToken);
        if (Read(index)?.DataDirectory == dataDirectory)
        {
            File.Delete(PathOf(index));
        }
    }

    private async Task<FileStream> LockAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var deadline = DateTime.UtcNow + s_lockWait;
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive flock; the kernel drops it with the process, so a crash leaves no lock behind
                return new FileStream(Path.Combine(directory, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken); // another installation is claiming
            }
        }
    }

    private sealed record Claim(string DataDirectory);

    /// <summary>The claim on the /16; null when there is none or it cannot be read (then it is taken over).</summary>
    private Claim? Read(int index)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(PathOf(index)))?["dataDirectory"]?.GetValue<string>() is { } holder ? new Claim(holder) : null;
        }
        catch (Exception e) when (e is FileNotFoundException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private string PathOf(int index) => Path.Combine(directory, index.ToString("D2", CultureInfo.InvariantCulture));
}
