using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Berth.Agent.Server.Spdy;

/// <summary>
/// The server's end of a SPDY/3.1 session, as the kubelet serves <c>kubectl port-forward</c> (moby/spdystream is the
/// client): the peer opens streams, each is answered at once with an empty SYN_REPLY and handed to
/// <see cref="AcceptAsync"/>; pings are echoed. Flow control is not enforced in either direction, as the client
/// does not enforce it either; a slow reader of one stream holds up the session's reads.
/// </summary>
internal sealed class SpdySession : IDisposable
{
    private const ushort Version = 3;
    private const int HeaderBytes = 8;

    /// <summary>The largest frame read: DATA frames from the client are at most 32 KiB, control frames far less.</summary>
    private const int MaxFrameBytes = 1 << 20;

    /// <summary>The largest DATA frame written.</summary>
    private const int MaxDataBytes = 32 * 1024;

    private const ushort SynStream = 1;
    private const ushort SynReply = 2;
    private const ushort RstStream = 3;
    private const ushort Ping = 6;
    private const ushort GoAway = 7;
    private const ushort HeadersFrame = 8;
    private const byte FlagFin = 0x01;

    /// <summary>RST_STREAM's PROTOCOL_ERROR, sent for a stream id already in use.</summary>
    private const uint ProtocolError = 1;

    private readonly Stream _transport;
    private readonly SpdyHeaderCodec _headers = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly ConcurrentDictionary<uint, SpdyStream> _streams = new();
    private readonly Channel<SpdyStream> _accepted = Channel.CreateUnbounded<SpdyStream>();

    public SpdySession(Stream transport) => _transport = transport;

    /// <summary>The streams the peer opens, until the session ends.</summary>
    public IAsyncEnumerable<SpdyStream> AcceptAsync(CancellationToken cancellationToken) => _accepted.Reader.ReadAllAsync(cancellationToken);

    /// <summary>
    /// Reads frames until the peer closes the connection or sends GOAWAY; every open stream's input then ends.
    /// Fails with <see cref="SpdyProtocolException"/> on a malformed frame.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Exception? ended = null;
        try
        {
            var header = new byte[HeaderBytes];
            while (await ReadFrameHeaderAsync(header, cancellationToken))
            {
                var first = BinaryPrimitives.ReadUInt32BigEndian(header);
                var flags = header[4];
                var length = (int)(BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4)) & 0xFFFFFF);
                if (length > MaxFrameBytes)
                {
                    throw new SpdyProtocolException($"a frame of {length} bytes is larger than the {MaxFrameBytes} accepted");
                }
                var payload = new byte[length];
                await _transport.ReadExactlyAsync(payload, cancellationToken);
                if ((first & 0x80000000) == 0)
                {
                    await OnDataAsync(first & 0x7FFFFFFF, flags, payload, cancellationToken);
                    continue;
                }
                var version = (ushort)((first >> 16) & 0x7FFF);
                if (version != Version)
                {
                    throw new SpdyProtocolException($"SPDY version {version} is not served; only version {Version} is");
                }
                if (!await OnControlAsync((ushort)(first & 0xFFFF), flags, payload, cancellationToken))
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Net.WebSockets.WebSocketException or SpdyProtocolException)
        {
            ended = e;
            if (e is SpdyProtocolException)
            {
                throw;
            }
        }
        finally
        {
            _accepted.Writer.TryComplete();
            foreach (var stream in _streams.Values)
            {
                stream.EndInput(ended is null ? null : new IOException("the port-forward session ended", ended));
            }
            _streams.Clear();
        }
    }

    public void Dispose()
    {
        _writing.Dispose();
        _headers.Dispose();
    }

    internal async Task SendDataAsync(uint streamId, ReadOnlyMemory<byte> data, bool fin, CancellationToken cancellationToken)
    {
        do
        {
            var chunk = data[..Math.Min(data.Length, MaxDataBytes)];
            data = data[chunk.Length..];
            var frame = new byte[HeaderBytes + chunk.Length];
            BinaryPrimitives.WriteUInt32BigEndian(frame, streamId & 0x7FFFFFFF);
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)chunk.Length);
            frame[4] = fin && data.IsEmpty ? FlagFin : (byte)0;
            chunk.CopyTo(frame.AsMemory(HeaderBytes));
            await WriteAsync(frame, cancellationToken);
        }
        while (!data.IsEmpty);
    }

    private async Task<bool> ReadFrameHeaderAsync(byte[] header, CancellationToken cancellationToken)
    {
        var read = await _transport.ReadAtLeastAsync(header, HeaderBytes, throwOnEndOfStream: false, cancellationToken);
        return read == HeaderBytes || (read == 0 ? false : throw new SpdyProtocolException("the connection ended inside a frame header"));
    }

    private async Task OnDataAsync(uint streamId, byte flags, byte[] payload, CancellationToken cancellationToken)
    {
        if (!_streams.TryGetValue(streamId, out var stream))
        {
            return; // reset or finished: late data is dropped, as spdystream drops it
        }
        if (payload.Length > 0)
        {
            await stream.ReceiveAsync(payload, cancellationToken);
        }
        if ((flags & FlagFin) != 0 && _streams.TryRemove(streamId, out _))
        {
            stream.EndInput();
        }
    }

    /// <summary>Handles a control frame; false when the peer is going away.</summary>
    private async Task<bool> OnControlAsync(ushort type, byte flags, byte[] payload, CancellationToken cancellationToken)
    {
        switch (type)
        {
            case SynStream:
                RequireLength(payload, 10, "SYN_STREAM");
                var id = BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7FFFFFFF;
                var headers = _headers.Decode(payload.AsSpan(10));
                var stream = new SpdyStream(this, id, headers);
                if (id == 0 || !_streams.TryAdd(id, stream))
                {
                    await SendResetAsync(id, ProtocolError, cancellationToken);
                    return true;
                }
                await SendReplyAsync(id, cancellationToken);
                if ((flags & FlagFin) != 0 && _streams.TryRemove(id, out _))
                {
                    stream.EndInput();
                }
                await _accepted.Writer.WriteAsync(stream, cancellationToken);
                return true;
            case RstStream:
                RequireLength(payload, 8, "RST_STREAM");
                if (_streams.TryRemove(BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7FFFFFFF, out var reset))
                {
                    reset.EndInput(new IOException("the stream was reset by the client"));
                }
                return true;
            case Ping:
                RequireLength(payload, 4, "PING");
                var pong = new byte[HeaderBytes + 4];
                WriteControlHeader(pong, Ping, 0, 4);
                payload.AsSpan(0, 4).CopyTo(pong.AsSpan(HeaderBytes));
                await WriteAsync(pong, cancellationToken);
                return true;
            case GoAway:
                return false;
            case SynReply or HeadersFrame:
                RequireLength(payload, 4, type == SynReply ? "SYN_REPLY" : "HEADERS");
                _headers.Decode(payload.AsSpan(4)); // read only to keep the compression context in step
                return true;
            default:
                return true; // SETTINGS, WINDOW_UPDATE and unknown types carry nothing this server acts on
        }
    }

    private async Task SendReplyAsync(uint streamId, CancellationToken cancellationToken)
    {
        var block = _headers.Encode([]);
        var frame = new byte[HeaderBytes + 4 + block.Length];
        WriteControlHeader(frame, SynReply, 0, 4 + block.Length);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(HeaderBytes), streamId);
        block.CopyTo(frame, HeaderBytes + 4);
        await WriteAsync(frame, cancellationToken);
    }

    private async Task SendResetAsync(uint streamId, uint status, CancellationToken cancellationToken)
    {
        var frame = new byte[HeaderBytes + 8];
        WriteControlHeader(frame, RstStream, 0, 8);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(HeaderBytes), streamId);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(HeaderBytes + 4), status);
        await WriteAsync(frame, cancellationToken);
    }

    private static void WriteControlHeader(Span<byte> frame, ushort type, byte flags, int length)
    {
        BinaryPrimitives.WriteUInt32BigEndian(frame, 0x80000000u | ((uint)Version << 16) | type);
        BinaryPrimitives.WriteUInt32BigEndian(frame[4..], (uint)length);
        frame[4] = flags;
    }

    private static void RequireLength(byte[] payload, int length, string frame)
    {
        if (payload.Length < length)
        {
            throw new SpdyProtocolException($"a {frame} frame of {payload.Length} bytes is shorter than its {length} fixed bytes");
        }
    }

    /// <summary>
    /// Writes one whole frame; frames of different streams never interleave. Header blocks are compressed only by
    /// the read loop, which also sends them, so they reach the peer in the order the shared zlib stream made them.
    /// </summary>
    private async Task WriteAsync(byte[] frame, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            await _transport.WriteAsync(frame, cancellationToken);
            await _transport.FlushAsync(cancellationToken);
        }
        finally
        {
            _writing.Release();
        }
    }
}
