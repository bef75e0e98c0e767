using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Berth.Store.Encryption;

/// <summary>
/// Seals documents with AES-256-GCM, the store key as associated data so a sealed value cannot be moved to another
/// key. A sealed value is itself a JSON document, <c>{"sealed":"aesgcm:v1:&lt;key name&gt;:&lt;base64 of nonce, ciphertext, tag&gt;"}</c>,
/// so the store below keeps checking that it holds JSON.
/// </summary>
public sealed class ValueSealer
{
    private const string Prefix = "aesgcm:v1:";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] s_marker = "{\"sealed\":\""u8.ToArray();

    private readonly byte[] _key;
    private readonly string _keyName;

    public ValueSealer(ReadOnlySpan<byte> key, string keyName)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("An AES-256 key is 32 bytes.", nameof(key));
        }
        if (keyName.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException("A key name may not contain ':'.", nameof(keyName));
        }
        _key = key.ToArray();
        _keyName = keyName;
    }

    public ReadOnlyMemory<byte> Seal(string storeKey, ReadOnlyMemory<byte> value)
    {
        var sealedBytes = new byte[NonceSize + value.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, value.Span, sealedBytes.AsSpan(NonceSize, value.Length), sealedBytes.AsSpan(NonceSize + value.Length), Encoding.UTF8.GetBytes(storeKey));
        return JsonSerializer.SerializeToUtf8Bytes(new SealedValue($"{Prefix}{_keyName}:{Convert.ToBase64String(sealedBytes)}"));
    }

    /// <summary>The document inside a sealed value; any other value as it is.</summary>
    public ReadOnlyMemory<byte> Open(string storeKey, ReadOnlyMemory<byte> value)
    {
        if (!value.Span.StartsWith(s_marker))
        {
            return value;
        }
        var text = JsonSerializer.Deserialize<SealedValue>(value.Span)?.Sealed ?? "";
        var parts = text.Split(':', 4);
        if (parts is not ["aesgcm", "v1", var keyName, var payload] || keyName != _keyName)
        {
            throw new StoreException(StoreErrorCode.Unavailable, $"The value of {storeKey} is sealed with a key this server does not have ({text.Split(':').Take(3).LastOrDefault()}).");
        }
        var sealedBytes = Convert.FromBase64String(payload);
        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        try
        {
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length),
                plain, Encoding.UTF8.GetBytes(storeKey));
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new StoreException(StoreErrorCode.Unavailable, $"The sealed value of {storeKey} does not open: it was altered or sealed for another key.", e);
        }
        return plain;
    }

    private sealed record SealedValue([property: System.Text.Json.Serialization.JsonPropertyName("sealed")] string Sealed);
}
