using System.Globalization;
using System.Text.Json.Nodes;

namespace Berth.Kube.Api;

/// <summary>Kubernetes' <c>metav1.Time</c> as JSON text: RFC 3339 in UTC, to the second.</summary>
internal static class KubeTime
{
    public static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The time a field holds, or null when it is absent or not a time.</summary>
    public static DateTimeOffset? Parse(JsonNode? node) =>
        DateTimeOffset.TryParse(node.AsText(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;

}
