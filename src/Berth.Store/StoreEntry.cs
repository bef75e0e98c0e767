namespace Berth.Store;

/// <summary>One key's document at one revision.</summary>
/// <param name="Key">The hierarchical key, for example <c>/k8s/default/apps/deployments/web/nginx</c>.</param>
/// <param name="Value">The UTF-8 JSON document; shared between readers, so never mutated.</param>
/// <param name="CreateRevision">The revision that created the key.</param>
/// <param name="ModRevision">The revision of the key's last change (or of its deletion).</param>
public sealed record StoreEntry(string Key, ReadOnlyMemory<byte> Value, long CreateRevision, long ModRevision);
