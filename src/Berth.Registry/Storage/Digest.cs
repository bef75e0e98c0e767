using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Berth.Registry.Storage;

/// <summary>
/// A content digest as the OCI image spec writes it, <c>algorithm:encoded</c>: <c>sha256</c> (64 lower-case hex
/// characters) or <c>sha512</c> (128). Other registered or well-formed algorithms are refused, as the spec allows.
/// </summary>
public readonly record struct Digest
{
    public const string Sha256 = "sha256";
    public const string Sha512 = "sha512";

    private Digest(string algorithm, string encoded)
    {
        Algorithm = algorithm;
        Encoded = encoded;
    }

    public string Algorithm { get; }

    /// <summary>The hash in lower-case hex.</summary>
    public string Encoded { get; }

    public override string ToString() => $"{Algorithm}:{Encoded}";

    public static Digest Parse(string text) =>
        TryParse(text, out var digest) ? digest : throw new FormatException($"invalid digest \"{text}\": expected sha256:<64 hex> or sha512:<128 hex>");

    public static bool TryParse([NotNullWhen(true)] string? text, out Digest digest)
    {
        digest = default;
        var colon = text?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (colon <= 0)
        {
            return false;
        }
        var algorithm = text![..colon];
        var encoded = text[(colon + 1)..];
        var length = algorithm switch { Sha256 => 64, Sha512 => 128, _ => -1 };
        if (encoded.Length != length || !encoded.All(char.IsAsciiHexDigitLower))
        {
            return false;
        }
        digest = new Digest(algorithm, encoded);
        return true;
    }

    /// <summary>The digest of <paramref name="content"/> under <paramref name="algorithm"/>.</summary>
    public static Digest Compute(ReadOnlySpan<byte> content, string algorithm = Sha256) => algorithm switch
    {
        Sha256 => FromHash(Sha256, SHA256.HashData(content)),
        Sha512 => FromHash(Sha512, SHA512.HashData(content)),
        _ => throw new ArgumentException($"unsupported digest algorithm \"{algorithm}\"", nameof(algorithm)),
    };

    internal static Digest FromHash(string algorithm, ReadOnlySpan<byte> hash) => new(algorithm, Convert.ToHexStringLower(hash));

    internal static IncrementalHash CreateHash(string algorithm) => algorithm switch
    {
        Sha256 => IncrementalHash.CreateHash(HashAlgorithmName.SHA256),
        Sha512 => IncrementalHash.CreateHash(HashAlgorithmName.SHA512),
        _ => throw new ArgumentException($"unsupported digest algorithm \"{algorithm}\"", nameof(algorithm)),
    };
}
