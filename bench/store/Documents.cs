using System.Text.Json;

namespace Berth.Bench.Store;

/// <summary>A document about the size of a small Kubernetes object.</summary>
internal static class Documents
{
    public static byte[] Small(int n) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        apiVersion = "v1",
        kind = "ConfigMap",
        metadata = new { name = $"cm-{n}", @namespace = "default", labels = new { app = "bench" } },
        data = new { n = n.ToString(System.Globalization.CultureInfo.InvariantCulture), text = new string('x', 300) },
    });
}
