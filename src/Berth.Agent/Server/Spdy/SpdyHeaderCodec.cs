using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using ICSharpCode.SharpZipLib;
using ICSharpCode.SharpZipLib.Zip.Compression;

namespace Berth.Agent.Server.Spdy;

/// <summary>
/// A SPDY/3 session's header blocks: name/value pairs with 32-bit lengths, compressed by one zlib stream per
/// direction that lasts the session and is sync-flushed at every block. The peer's stream is primed with
/// <see cref="SpdyHeaderDictionary"/>, which SharpZipLib's inflater accepts; this side's is written without one,
/// which zlib readers take whatever dictionary they hold, by .NET's deflater, whose flush is zlib's sync flush (Go's
/// inflater hands out a block only at such a flush).
/// </summary>
internal sealed class SpdyHeaderCodec : IDisposable
{
    /// <summary>A zlib stream header (RFC 1950): deflate with a 32 KiB window, no preset dictionary.</summary>
    private static readonly byte[] s_zlibHeader = [0x78, 0x01];

    /// <summary>The most a header block may hold once inflated; more is a protocol error, not an allocation.</summary>
    private const int MaxBlockBytes = 256 * 1024;

    private readonly Inflater _inflater = new();
    private readonly MemoryStream _compressed = new();
    private readonly DeflateStream _deflater;

    public SpdyHeaderCodec()
    {
        _compressed.Write(s_zlibHeader);
        _deflater = new DeflateStream(_compressed, CompressionLevel.Fastest, leaveOpen: true);
    }

    public void Dispose()
    {
        _deflater.Dispose();
        _compressed.Dispose();
    }

    /// <summary>Inflates a received block and reads its pairs; names are lowercase, a value may hold several NUL-separated.</summary>
    public Dictionary<string, string> Decode(ReadOnlySpan<byte> compressed)
    {
        var block = Inflate(compressed);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var reader = new BlockReader(block);
        var count = reader.Int();
        for (var i = 0; i < count; i++)
        {
            var name = reader.Text();
            headers[name] = reader.Text();
        }
        return headers;
    }

    /// <summary>Writes pairs as a block, compressed and flushed so the peer can read it all from this frame alone.</summary>
    public byte[] Encode(IReadOnlyCollection<KeyValuePair<string, string>> headers)
    {
        var block = new MemoryStream();
        var number = new byte[4];
        void Append(int value, ReadOnlySpan<byte> bytes)
        {
            BinaryPrimitives.WriteInt32BigEndian(number, value);
            block.Write(number);
            block.Write(bytes);
        }
        Append(headers.Count, []);
        foreach (var (name, value) in headers)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name.ToLowerInvariant());
            Append(nameBytes.Length, nameBytes);
            var valueBytes = Encoding.UTF8.GetBytes(value);
            Append(valueBytes.Length, valueBytes);
        }
        block.Position = 0;
        block.CopyTo(_deflater);
        _deflater.Flush();
        var compressed = _compressed.ToArray();
        _compressed.SetLength(0);
        return compressed;
    }

    private byte[] Inflate(ReadOnlySpan<byte> compressed)
    {
        _inflater.SetInput(compressed.ToArray());
        var output = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var read = _inflater.Inflate(buffer, 0, buffer.Length);
                if (read > 0)
                {
                    output.Write(buffer, 0, read);
                    if (output.Length > MaxBlockBytes)
                    {
                        throw new SpdyProtocolException($"a header block inflates to more than {MaxBlockBytes} bytes");
                    }
                }
                else if (_inflater.IsNeedingDictionary)
                {
                    _inflater.SetDictionary(SpdyHeaderDictionary.Bytes);
                }
                else
                {
                    return output.ToArray();
                }
            }
        }
        catch (SharpZipBaseException e)
        {
            throw new SpdyProtocolException($"a header block cannot be inflated: {e.Message}");
        }
    }

    /// <summary>Reads a block's big-endian lengths and strings, refusing any that run past its end.</summary>
    private ref struct BlockReader(ReadOnlySpan<byte> block)
    {
        private ReadOnlySpan<byte> _rest = block;

        public int Int()
        {
            if (_rest.Length < 4)
            {
                throw new SpdyProtocolException("a header block ends inside a length");
            }
            var value = BinaryPrimitives.ReadInt32BigEndian(_rest);
            _rest = _rest[4..];
            return value >= 0 ? value : throw new SpdyProtocolException("a header block holds a negative length");
        }

        public string Text()
        {
            var length = Int();
            if (_rest.Length < length)
            {
                throw new SpdyProtocolException("a header block ends inside a name or value");
            }
            var text = Encoding.UTF8.GetString(_rest[..length]);
            _rest = _rest[length..];
            return text;
        }
    }
}
