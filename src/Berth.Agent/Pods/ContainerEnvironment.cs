using System.Text;
using System.Text.RegularExpressions;
using k8s.Models;

namespace Berth.Agent.Pods;

/// <summary>
/// A container's environment as the kubelet makes it: <c>envFrom</c> sources in order, then <c>env</c>, each value
/// free to refer to the variables before it with <c>$(VAR)</c>; values from ConfigMaps, Secrets, the pod's fields
/// and the container's resources. A missing ConfigMap, Secret or key that is not optional is a configuration error
/// with the kubelet's message.
/// </summary>
internal static partial class ContainerEnvironment
{
    public static async Task<List<KeyValuePair<string, string>>> ResolveAsync(V1Pod pod, V1Container container, PodObjects objects, string hostIp,
        IReadOnlyDictionary<string, ResourceQuantity> allocatable, CancellationToken cancellationToken)
    {
        var ns = pod.Metadata.NamespaceProperty;
        var result = new List<KeyValuePair<string, string>>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        void Set(string name, string value)
        {
            if (values.ContainsKey(name))
            {
                result.RemoveAll(e => e.Key == name);
            }
            values[name] = value;
            result.Add(new(name, value));
        }
        foreach (var source in container.EnvFrom ?? [])
        {
            IReadOnlyDictionary<string, byte[]>? data;
            if (source.ConfigMapRef is { } configMapRef)
            {
                data = await objects.ConfigMapAsync(configMapRef.Name, cancellationToken);
                if (data is null && configMapRef.Optional != true)
                {
                    throw new ContainerConfigException($"configmap \"{configMapRef.Name}\" not found");
                }
            }
            else if (source.SecretRef is { } secretRef)
            {
                data = await objects.SecretDataAsync(secretRef.Name, cancellationToken);
                if (data is null && secretRef.Optional != true)
                {
                    throw new ContainerConfigException($"secret \"{secretRef.Name}\" not found");
                }
            }
            else
            {
                continue;
            }
            foreach (var (key, value) in data ?? new Dictionary<string, byte[]>())
            {
                var name = (source.Prefix ?? "") + key;
                if (EnvVarName().IsMatch(name))
                {
                    Set(name, Encoding.UTF8.GetString(value)); // invalid names are skipped, as the kubelet skips them
                }
            }
        }
        foreach (var env in container.Env ?? [])
        {
            if (env.ValueFrom is not { } from)
            {
                Set(env.Name, Expansion.Expand(env.Value ?? "", name => values.GetValueOrDefault(name)));
            }
            else if (from.ConfigMapKeyRef is { } configMapKey)
            {
                var data = await objects.ConfigMapAsync(configMapKey.Name, cancellationToken);
                if (data?.TryGetValue(configMapKey.Key, out var value) == true)
                {
                    Set(env.Name, Encoding.UTF8.GetString(value));
                }
                else if (configMapKey.Optional != true)
                {
                    throw new ContainerConfigException(data is null ? $"configmap \"{configMapKey.Name}\" not found"
                        : $"couldn't find key {configMapKey.Key} in ConfigMap {ns}/{configMapKey.Name}");
                }
            }
            else if (from.SecretKeyRef is { } secretKey)
            {
                var data = await objects.SecretDataAsync(secretKey.Name, cancellationToken);
                if (data?.TryGetValue(secretKey.Key, out var value) == true)
                {
                    Set(env.Name, Encoding.UTF8.GetString(value));
                }
                else if (secretKey.Optional != true)
                {
                    throw new ContainerConfigException(data is null ? $"secret \"{secretKey.Name}\" not found"
                        : $"couldn't find key {secretKey.Key} in Secret {ns}/{secretKey.Name}");
                }
            }
            else if (from.FieldRef is { } field)
            {
                Set(env.Name, DownwardApi.Field(pod, field.FieldPath, hostIp));
            }
            else if (from.ResourceFieldRef is { } resource)
            {
                Set(env.Name, DownwardApi.Resource(pod, resource, container.Name, allocatable));
            }
        }
        return result;
    }

    /// <summary>What Kubernetes takes as an environment variable name (C identifiers and more, no '=').</summary>
    [GeneratedRegex(@"^[-._a-zA-Z][-._a-zA-Z0-9]*$")]
    private static partial Regex EnvVarName();
}
