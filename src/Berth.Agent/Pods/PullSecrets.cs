using System.Text;
using System.Text.Json;
using Berth.Agent.Runtime;
using k8s.Models;

namespace Berth.Agent.Pods;

/// <summary>Registry credentials from a pod's <c>imagePullSecrets</c>: <c>kubernetes.io/dockerconfigjson</c> and the older <c>kubernetes.io/dockercfg</c>.</summary>
internal static class PullSecrets
{
    public static async Task<List<RegistryCredential>> ResolveAsync(V1Pod pod, PodObjects objects, CancellationToken cancellationToken)
    {
        var credentials = new List<RegistryCredential>();
        foreach (var reference in pod.Spec.ImagePullSecrets ?? [])
        {
            // a missing pull secret is skipped, as the kubelet skips it (the pull may still work without it)
            if (await objects.SecretAsync(reference.Name, cancellationToken) is not { Data: { } data })
            {
                continue;
            }
            if (data.TryGetValue(".dockerconfigjson", out var configJson))
            {
                credentials.AddRange(Parse(configJson, nested: true));
            }
            else if (data.TryGetValue(".dockercfg", out var config))
            {
                credentials.AddRange(Parse(config, nested: false));
            }
        }
        return credentials;
    }

    private static IEnumerable<RegistryCredential> Parse(byte[] json, bool nested)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            yield break; // not a docker config: nothing to offer
        }
        using (document)
        {
            var auths = document.RootElement;
            if (nested && !auths.TryGetProperty("auths", out auths))
            {
                yield break;
            }
            if (auths.ValueKind != JsonValueKind.Object)
            {
                yield break;
            }
            foreach (var entry in auths.EnumerateObject())
            {
                var username = Text(entry.Value, "username");
                var password = Text(entry.Value, "password");
                if ((username is null || password is null) && Text(entry.Value, "auth") is { } auth)
                {
                    var bytes = new byte[auth.Length];
                    var decoded = Convert.TryFromBase64String(auth, bytes, out var length) ? Encoding.UTF8.GetString(bytes, 0, length).Split(':', 2) : [];
                    if (decoded.Length == 2)
                    {
                        (username, password) = (decoded[0], decoded[1]);
                    }
                }
                if (username is not null && password is not null)
                {
                    yield return new RegistryCredential(entry.Name, username, password);
                }
            }
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
