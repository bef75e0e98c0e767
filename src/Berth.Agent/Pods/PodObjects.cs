using System.Net;
using System.Text;
using Berth.Agent.Client;
using k8s.Models;

namespace Berth.Agent.Pods;

/// <summary>
/// The ConfigMaps and Secrets a pod refers to, read from the API for one sync, each once; missing ones are null,
/// so each use can say in its own words what is missing.
/// </summary>
internal sealed class PodObjects(ApiClient client, string @namespace)
{
    private readonly Dictionary<string, V1ConfigMap?> _configMaps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, V1Secret?> _secrets = new(StringComparer.Ordinal);

    public async Task<IReadOnlyDictionary<string, byte[]>?> ConfigMapAsync(string name, CancellationToken cancellationToken)
    {
        if (!_configMaps.TryGetValue(name, out var configMap))
        {
            configMap = await ReadAsync(() => client.ReadAsync(ApiResources.ConfigMaps, @namespace, name, cancellationToken));
            _configMaps[name] = configMap;
        }
        if (configMap is null)
        {
            return null;
        }
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in configMap.Data ?? new Dictionary<string, string>())
        {
            data[key] = Encoding.UTF8.GetBytes(value);
        }
        foreach (var (key, value) in configMap.BinaryData ?? new Dictionary<string, byte[]>())
        {
            data[key] = value;
        }
        return data;
    }

    public async Task<V1Secret?> SecretAsync(string name, CancellationToken cancellationToken)
    {
        if (!_secrets.TryGetValue(name, out var secret))
        {
            secret = await ReadAsync(() => client.ReadAsync(ApiResources.Secrets, @namespace, name, cancellationToken));
            _secrets[name] = secret;
        }
        return secret;
    }

    public async Task<IReadOnlyDictionary<string, byte[]>?> SecretDataAsync(string name, CancellationToken cancellationToken) =>
        await SecretAsync(name, cancellationToken) is { } secret ? (IReadOnlyDictionary<string, byte[]>)(secret.Data ?? new Dictionary<string, byte[]>()) : null;

    private static async Task<T?> ReadAsync<T>(Func<Task<T>> read) where T : class
    {
        try
        {
            return await read();
        }
        catch (ApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
