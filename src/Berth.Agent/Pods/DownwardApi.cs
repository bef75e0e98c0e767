using System.Globalization;
using k8s.Models;

namespace Berth.Agent.Pods;

/// <summary>The pod's own fields and its containers' resources as values, for env <c>valueFrom</c> and downwardAPI volumes.</summary>
internal static class DownwardApi
{
    /// <summary>A <c>fieldRef</c>'s value; an unsupported path is a configuration error.</summary>
    public static string Field(V1Pod pod, string path, string hostIp)
    {
        if (TryIndexed(path, "metadata.labels", out var label))
        {
            return pod.Metadata.Labels?.TryGetValue(label, out var value) == true ? value : "";
        }
        if (TryIndexed(path, "metadata.annotations", out var annotation))
        {
            return pod.Metadata.Annotations?.TryGetValue(annotation, out var value) == true ? value : "";
        }
        return path switch
        {
            "metadata.name" => pod.Metadata.Name,
            "metadata.namespace" => pod.Metadata.NamespaceProperty,
            "metadata.uid" => pod.Metadata.Uid,
            "metadata.labels" => string.Join('\n', (pod.Metadata.Labels ?? new Dictionary<string, string>()).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{l.Value}\"")),
            "metadata.annotations" => string.Join('\n', (pod.Metadata.Annotations ?? new Dictionary<string, string>()).OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}=\"{a.Value}\"")),
            "spec.nodeName" => pod.Spec.NodeName ?? "",
            "spec.serviceAccountName" => pod.Spec.ServiceAccountName ?? "",
            "status.hostIP" or "status.hostIPs" => hostIp,
            "status.podIP" => pod.Status?.PodIP ?? "",
            "status.podIPs" => string.Join(',', pod.Status?.PodIPs?.Select(p => p.Ip) ?? []),
            _ => throw new ContainerConfigException($"unsupported fieldRef path \"{path}\""),
        };
    }

    /// <summary>
    /// A <c>resourceFieldRef</c>'s value: the container's limit or request divided by the divisor and rounded up; a
    /// limit not set is the node's allocatable.
    /// </summary>
    public static string Resource(V1Pod pod, V1ResourceFieldSelector selector, string? defaultContainer, IReadOnlyDictionary<string, ResourceQuantity> allocatable)
    {
        var name = string.IsNullOrEmpty(selector.ContainerName) ? defaultContainer : selector.ContainerName;
        var container = pod.Spec.Containers.Concat(pod.Spec.InitContainers ?? []).FirstOrDefault(c => c.Name == name)
            ?? throw new ContainerConfigException($"no container named \"{name}\" for resourceFieldRef {selector.Resource}");
        var parts = selector.Resource.Split('.', 2);
        if (parts.Length != 2 || parts[0] is not ("limits" or "requests"))
        {
            throw new ContainerConfigException($"unsupported resourceFieldRef \"{selector.Resource}\"");
        }
        var set = parts[0] == "limits" ? container.Resources?.Limits : container.Resources?.Requests;
        decimal value = set?.TryGetValue(parts[1], out var quantity) == true ? quantity.ToDecimal()
            : parts[0] == "limits" && allocatable.TryGetValue(parts[1], out var node) ? node.ToDecimal()
            : 0;
        var divisor = selector.Divisor?.ToDecimal() is > 0m and var d ? d : 1;
        return Math.Ceiling(value / divisor).ToString(CultureInfo.InvariantCulture);
    }

    private static bool TryIndexed(string path, string prefix, out string key)
    {
        key = "";
        if (!path.StartsWith(prefix + "['", StringComparison.Ordinal) || !path.EndsWith("']", StringComparison.Ordinal))
        {
            return false;
        }
        key = path[(prefix.Length + 2)..^2];
        return true;
    }
}
