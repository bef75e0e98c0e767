using System.Runtime.InteropServices;

namespace Berth.Agent.Services;

/// <summary>
/// Who of a cluster's agents on this machine programs its Services: the nodes of a cluster share the host's network
/// stack, so one table serves them all and one agent writes it. Two <c>flock</c> locks per cluster in a directory of
/// the machine's, named after the cluster's bridge (unique on the machine, as its pod CIDR is): every agent holds
/// the members lock shared while it runs; the leader holds the leader lock exclusively. The kernel drops both when
/// a process dies, so a killed leader's place is taken at once. Every agent that stops takes the leader lock in turn
/// and, holding it, asks whether any other member is left: the last one removes the table, however many stop at once.
/// </summary>
internal sealed partial class ProxyLocks : IDisposable
{
    private const int LockShared = 1;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(50);

    private readonly FileStream _members;
    private readonly string _leaderPath;
    private FileStream? _leader;

    private ProxyLocks(FileStream members, string leaderPath) => (_members, _leaderPath) = (members, leaderPath);

    /// <summary>Where the machine's agents lock: shared by every installation, as the network stack is.</summary>
    public static string Directory => Path.Combine(Path.GetTempPath(), "berth-service-proxies");

    /// <summary>Joins the cluster's members (waiting while a leaving leader checks whether it is the last).</summary>
    public static async Task<ProxyLocks> JoinAsync(string bridge, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        while (true)
        {
            if (TryOpenLocked(Path.Combine(Directory, bridge + ".members"), LockShared) is { } members)
            {
                return new ProxyLocks(members, Path.Combine(Directory, bridge + ".leader"));
            }
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Takes the leader lock if no one holds it; true when this agent leads (or led already).</summary>
    public bool TryLead()
    {
        if (_leader is not null)
        {
            return true;
        }
        _leader = TryOpenLocked(_leaderPath, LockExclusive);
        return _leader is not null;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the leader lock; true when this agent leads.</summary>
    public async Task<bool> TryLeadAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        for (var waited = TimeSpan.Zero; !TryLead(); waited += s_poll)
        {
            if (waited >= timeout)
            {
                return false;
            }
            await Task.Delay(s_poll, cancellationToken);
        }
        return true;
    }

    /// <summary>
    /// Whether this leader is the last member: its shared lock turned exclusive, which holds off agents joining now
    /// until <see cref="Dispose"/>. False for an agent that does not lead, or while other members run.
    /// </summary>
    public bool IsLastLeader() => _leader is not null && Lock(_members, LockExclusive | LockNonBlocking);

    public void Dispose()
    {
        _leader?.Dispose();
        _members.Dispose();
    }

    /// <summary>
    /// Opens <paramref name="path"/> and locks it without waiting; null when another holds a lock in the way. .NET
    /// takes a shared <c>flock</c> of its own as it opens a file it may share, which fails as ours would.
    /// </summary>
    private static FileStream? TryOpenLocked(string path, int operation)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        }
        catch (IOException) when (File.Exists(path))
        {
            return null;
        }
        if (Lock(file, operation | LockNonBlocking))
        {
            return file;
        }
        file.Dispose();
        return null;
    }

    private static bool Lock(FileStream file, int operation)
    {
        if (Flock(file.SafeFileHandle.DangerousGetHandle().ToInt32(), operation) == 0)
        {
            return true;
        }
        var error = Marshal.GetLastPInvokeError();
        return error == 11 ? false : throw new IOException($"flock on {file.Name} failed with errno {error}"); // EWOULDBLOCK: held by another
    }

    // DllImport rather than LibraryImport: two int arguments need no marshalling code, and so no unsafe blocks
    [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Flock(int fd, int operation);
}
