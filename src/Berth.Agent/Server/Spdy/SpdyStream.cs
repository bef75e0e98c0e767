using System.IO.Pipelines;

namespace Berth.Agent.Server.Spdy;

/// <summary>
/// A stream the peer opened in a <see cref="SpdySession"/>: its headers, the data it sends (ended by its FIN), and
/// the way back. Closing is SPDY's half-close: an empty DATA frame with FIN.
/// </summary>
internal sealed class SpdyStream
{
    private readonly SpdySession _session;
    private readonly Pipe _incoming = new();
    private int _closed;

    public SpdyStream(SpdySession session, uint id, IReadOnlyDictionary<string, string> headers)
    {
        _session = session;
        Id = id;
        Headers = headers;
    }

    public uint Id { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>What the peer sends on the stream; completes at its FIN, or with an error at a reset or a lost session.</summary>
    public PipeReader Input => _incoming.Reader;

    /// <summary>Sends <paramref name="data"/> in DATA frames.</summary>
    public Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        _session.SendDataAsync(Id, data, fin: false, cancellationToken);

    /// <summary>Ends this side of the stream (FIN); the peer's side stays open until it ends it too. Once only.</summary>
    public Task CloseAsync(CancellationToken cancellationToken) =>
        Interlocked.Exchange(ref _closed, 1) == 0 ? _session.SendDataAsync(Id, ReadOnlyMemory<byte>.Empty, fin: true, cancellationToken) : Task.CompletedTask;

    internal ValueTask<FlushResult> ReceiveAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        _incoming.Writer.WriteAsync(data, cancellationToken);

    internal void EndInput(Exception? error = null) => _incoming.Writer.Complete(error);
}
