using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Berth.Agent.Runtime;

/// <summary>
/// Connects to a port on the loopback of another network namespace, as containerd's port forwarding does: a thread
/// of its own enters the namespace (setns), makes the socket there, and ends. The socket stays in that namespace
/// whichever thread uses it afterwards, so a server that listens only on the pod's 127.0.0.1 is reached too.
/// </summary>
internal static class NetworkNamespaceDialer
{
    private const int CloneNewNet = 0x40000000;

    /// <summary>Connects to <paramref name="port"/> on localhost inside the namespace at <paramref name="namespacePath"/>, IPv4 first then IPv6.</summary>
    public static Task<Socket> ConnectAsync(string namespacePath, string namespaceName, int port, CancellationToken cancellationToken)
    {
        var connected = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                connected.SetResult(Connect(namespacePath, namespaceName, port));
            }
            catch (Exception e)
            {
                connected.SetException(e);
            }
        })
        { IsBackground = true, Name = "netns-connect" };
        thread.Start();
        return connected.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Runs on a thread that ends with it, so the namespace it enters is never left on a pooled thread.</summary>
    private static Socket Connect(string namespacePath, string namespaceName, int port)
    {
        using (var handle = File.OpenHandle(namespacePath, FileMode.Open, FileAccess.Read))
        {
            if (SetNamespace(handle.DangerousGetHandle().ToInt32(), CloneNewNet) != 0)
            {
                throw new RuntimeException($"cannot enter the network namespace of {namespaceName}: {Marshal.GetLastPInvokeErrorMessage()}");
            }
        }
        var ipv4 = TryConnect(IPAddress.Loopback, port, out var socket);
        if (socket is not null)
        {
            return socket;
        }
        var ipv6 = TryConnect(IPAddress.IPv6Loopback, port, out socket);
        return socket ?? throw new RuntimeException($"failed to connect to localhost:{port} inside namespace \"{namespaceName}\", IPv4: {ipv4} IPv6 {ipv6}");
    }

    /// <summary>Connects, or says why not in Go's words (<c>dial tcp4 127.0.0.1:80: connect: connection refused</c>).</summary>
    private static string TryConnect(IPAddress address, int port, out Socket? connected)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Connect(address, port);
            connected = socket;
            return "";
        }
        catch (SocketException e)
        {
            socket.Dispose();
            connected = null;
            var network = address.AddressFamily == AddressFamily.InterNetwork ? "tcp4" : "tcp6";
            return $"dial {network} {new IPEndPoint(address, port)}: connect: {e.Message.ToLowerInvariant()}";
        }
    }

    // DllImport rather than LibraryImport: two int arguments need no marshalling code, and so no unsafe blocks
    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetNamespace(int fd, int type);
}
