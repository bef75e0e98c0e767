using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using Berth.Agent.Server.Spdy;
using ICSharpCode.SharpZipLib.Zip.Compression;

namespace Berth.Agent.Tests;

/// <summary>The agent's SPDY/3.1 server session, driven frame by frame as a client writes them.</summary>
public sealed class SpdySessionTests : IDisposable
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();
    private readonly Deflater _clientHeaders = new();
    private readonly SpdySession _session;

    public SpdySessionTests()
    {
        _clientHeaders.SetDictionary(SpdyHeaderDictionary.Bytes);
        _session = new SpdySession(new DuplexStream(_toServer.Reader.AsStream(), _toClient.Writer.AsStream()));
    }

    public void Dispose() => _session.Dispose();

    [Fact]
    public async Task OpenedStream_IsRepliedTo_CarriesData_AndEndsAtTheClientsFin()
    {
        var running = _session.RunAsync(Token);
        await SendAsync(SynStream(1, ("streamtype", "data"), ("port", "8080"), ("requestid", "0")));
        await using var accepted = _session.AcceptAsync(Token).GetAsyncEnumerator(Token);
        Assert.True(await accepted.MoveNextAsync());
        var stream = accepted.Current;
        Assert.Equal((1u, "data", "8080"), (stream.Id, stream.Headers["streamType"], stream.Headers["port"]));

        var (type, payload) = await ReadControlFrameAsync();
        Assert.Equal((2, 1u), (type, BinaryPrimitives.ReadUInt32BigEndian(payload))); // SYN_REPLY for stream 1

        await SendAsync(Data(1, "hello", fin: true));
        var read = await stream.Input.ReadAsync(Token);
        while (!read.IsCompleted)
        {
            stream.Input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            read = await stream.Input.ReadAsync(Token);
        }
        Assert.Equal("hello", Encoding.ASCII.GetString(System.Buffers.BuffersExtensions.ToArray(read.Buffer)));

        await stream.WriteAsync("back"u8.ToArray(), Token);
        await stream.CloseAsync(Token);
        Assert.Equal(Data(1, "back", fin: false), await ReadBytesAsync(12));
        Assert.Equal(Data(1, "", fin: true), await ReadBytesAsync(8));

        _toServer.Writer.Complete();
        await running;
    }

    [Fact]
    public async Task Ping_IsEchoed()
    {
        var running = _session.RunAsync(Token);
        var ping = Control(6, 0, [0, 0, 0, 7]);
        await SendAsync(ping);
        Assert.Equal(ping, await ReadBytesAsync(ping.Length));
        _toServer.Writer.Complete();
        await running;
    }

    [Theory]
    [InlineData("80020001000000040000000100000000", "SPDY version 2 is not served")] // a SPDY/2 SYN_STREAM
    [InlineData("80030001007fffff", "larger than")] // a frame far over the size taken
    [InlineData("8003000100000002AAAA", "shorter than its 10 fixed bytes")] // a SYN_STREAM cut short
    [InlineData("8003000100000010000000010000000000000000DEADBEEF", "cannot be inflated")] // headers that are no zlib stream
    public async Task MalformedFrame_EndsTheSession_SayingWhy(string frame, string reason)
    {
        var running = _session.RunAsync(Token);
        await SendAsync(Convert.FromHexString(frame));
        var error = await Assert.ThrowsAsync<SpdyProtocolException>(() => running);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    private byte[] SynStream(uint id, params (string Name, string Value)[] headers)
    {
        var block = new MemoryStream();
        void Write(int value) => block.Write([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
        Write(headers.Length);
        foreach (var (name, value) in headers)
        {
            Write(name.Length);
            block.Write(Encoding.ASCII.GetBytes(name));
            Write(value.Length);
            block.Write(Encoding.ASCII.GetBytes(value));
        }
        _clientHeaders.SetInput(block.ToArray());
        _clientHeaders.Flush();
        var compressed = new MemoryStream();
        var buffer = new byte[1024];
        int written;
        while ((written = _clientHeaders.Deflate(buffer)) > 0)
        {
            compressed.Write(buffer, 0, written);
        }
        var payload = new byte[10 + compressed.Length];
        BinaryPrimitives.WriteUInt32BigEndian(payload, id);
        compressed.ToArray().CopyTo(payload, 10);
        return Control(1, 0, payload);
    }

    private static byte[] Control(ushort type, byte flags, byte[] payload)
    {
        var frame = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, 0x80030000u | type);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)payload.Length);
        frame[4] = flags;
        payload.CopyTo(frame, 8);
        return frame;
    }

    private static byte[] Data(uint id, string text, bool fin)
    {
        var data = Encoding.ASCII.GetBytes(text);
        var frame = new byte[8 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, id);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)data.Length);
        frame[4] = fin ? (byte)1 : (byte)0;
        data.CopyTo(frame, 8);
        return frame;
    }

    private async Task SendAsync(byte[] frame) => await _toServer.Writer.WriteAsync(frame, Token);

    private async Task<(int Type, byte[] Payload)> ReadControlFrameAsync()
    {
        var header = await ReadBytesAsync(8);
        var length = (int)(BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4)) & 0xFFFFFF);
        return (BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2)), await ReadBytesAsync(length));
    }

    private async Task<byte[]> ReadBytesAsync(int count)
    {
        var bytes = new byte[count];
        await _toClient.Reader.AsStream().ReadExactlyAsync(bytes, Token).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Token);
        return bytes;
    }

    /// <summary>One end of a connection: reads what the other end wrote, writes what it will read.</summary>
    private sealed class DuplexStream(Stream input, Stream output) : Stream
    {
        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => input.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => input.ReadAsync(buffer, cancellationToken);
        public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => output.WriteAsync(buffer, cancellationToken);
        public override Task FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken);
        public override void Flush() => output.Flush();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
