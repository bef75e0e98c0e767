using System.Runtime.InteropServices;

namespace Berth.Registry.Storage;

/// <summary>
/// Flushes a directory's entries to disk. A rename is atomic as soon as it returns, but only an fsync of the directory
/// makes it survive a power cut; .NET opens no directory for writing, so this calls libc.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;
    private const int Directory = 0x10000; // O_DIRECTORY on Linux

    public static void Flush(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var descriptor = Open(path, ReadOnly | Directory);
        if (descriptor < 0)
        {
            throw new IOException($"cannot open directory {path} to flush it (errno {Marshal.GetLastPInvokeError()})");
        }
        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"fsync of directory {path} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
