namespace Berth.Kube.Discovery;

/// <summary>One aggregated discovery document: its bytes in each served version of the list, and its ETag hash.</summary>
internal sealed record AggregatedDocument(IReadOnlyDictionary<string, byte[]> Bytes, string Hash);
