using System.Security.Cryptography;

namespace Berth.Kube.OpenApi;

/// <summary>One published document: its bytes and the hash that names this revision of it.</summary>
internal sealed record PublishedDocument(byte[] Json, string Hash)
{
    /// <summary>A document named, as kube-apiserver names its OpenAPI documents, by the uppercase hex SHA-512 of its bytes.</summary>
    public static PublishedDocument Of(byte[] json) => new(json, Convert.ToHexString(SHA512.HashData(json)));
}
