using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;

namespace Berth.Agent.Client;

/// <summary>
/// The agent's client of the Kubernetes API: the verbs it uses (get, list, create, merge patch, delete, and watch in
/// <see cref="ResourceWatch"/>) over one HTTP client made from its kubeconfig, each object read and written by
/// <see cref="AgentJson"/>. The kubeconfig is read by the client library, which also runs exec credential plugins.
/// </summary>
internal sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly KubernetesClientConfiguration _config;

    private ApiClient(KubernetesClientConfiguration config)
    {
        _config = config;
        ClusterAuthorities = config.SslCaCerts ?? [];
        var handler = new SocketsHttpHandler();
        if (config.SkipTlsVerify)
        {
#pragma warning disable CA5359 // the kubeconfig asks for it (insecure-skip-tls-verify), as kubectl honours it
            handler.SslOptions.RemoteCertificateValidationCallback = delegate { return true; };
#pragma warning restore CA5359
        }
        else if (ClusterAuthorities.Count > 0)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => IssuedByCluster(certificate, errors);
        }
        if (ClientCertificate(config) is { } certificate)
        {
            handler.SslOptions.ClientCertificates = [certificate];
        }
        _http = new HttpClient(handler)
        {
            BaseAddress = new Uri(config.Host.TrimEnd('/') + "/"),
            Timeout = config.HttpClientTimeout,
        };
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("berth-agent", AgentVersion.Kubelet.TrimStart('v')));
    }

    /// <summary>The authorities the kubeconfig trusts for the cluster, which also sign the clients of the agent's endpoint.</summary>
    public X509Certificate2Collection ClusterAuthorities { get; }

    public static ApiClient FromKubeconfig(string path) => new(KubernetesClientConfiguration.BuildConfigFromConfigFile(path));

    public async Task<T> ReadAsync<T, TList>(ApiResource<T, TList> resource, string? @namespace, string name, CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
        where TList : IKubernetesObject<V1ListMeta>, IItems<T> =>
        await SendAsync(HttpMethod.Get, resource.ObjectPath(@namespace, name), null, resource.Type, cancellationToken);

    /// <summary>The objects of every namespace, those <paramref name="fieldSelector"/> selects when given.</summary>
    public async Task<TList> ListAsync<T, TList>(ApiResource<T, TList> resource, string? fieldSelector, CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
        where TList : IKubernetesObject<V1ListMeta>, IItems<T> =>
        await SendAsync(HttpMethod.Get, resource.CollectionPath + (fieldSelector is null ? "" : "?fieldSelector=" + Uri.EscapeDataString(fieldSelector)),
            null, resource.ListType, cancellationToken);

    /// <summary>Creates <paramref name="item"/> in the namespace its metadata names.</summary>
    public async Task<T> CreateAsync<T, TList>(ApiResource<T, TList> resource, T item, CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
        where TList : IKubernetesObject<V1ListMeta>, IItems<T> =>
        await SendAsync(HttpMethod.Post, resource.CollectionPathIn(item.Metadata?.NamespaceProperty),
            JsonBody(item, resource.Type, "application/json"), resource.Type, cancellationToken);

    /// <summary>
    /// A JSON merge patch (RFC 7386) of the object or its <paramref name="subresource"/>: the fields
    /// <paramref name="patch"/> sets are set, those it leaves null are left alone.
    /// </summary>
    public async Task<T> PatchAsync<T, TList>(ApiResource<T, TList> resource, string? @namespace, string name, T patch,
        CancellationToken cancellationToken, string? subresource = null)
        where T : IKubernetesObject<V1ObjectMeta>
        where TList : IKubernetesObject<V1ListMeta>, IItems<T> =>
        await SendAsync(HttpMethod.Patch, resource.ObjectPath(@namespace, name, subresource),
            JsonBody(patch, resource.Type, "application/merge-patch+json"), resource.Type, cancellationToken);

    public async Task DeleteAsync<T, TList>(ApiResource<T, TList> resource, string? @namespace, string name, V1DeleteOptions options,
        CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
        where TList : IKubernetesObject<V1ListMeta>, IItems<T> =>
        await SendAsync(HttpMethod.Delete, resource.ObjectPath(@namespace, name), JsonBody(options, AgentJson.Default.V1DeleteOptions, "application/json"),
            AgentJson.Default.V1Status, cancellationToken);

    /// <summary>Posts <paramref name="body"/> to <paramref name="path"/>, a resource or subresource that answers with another kind.</summary>
    public Task<TResult> PostAsync<TBody, TResult>(string path, TBody body, JsonTypeInfo<TBody> bodyType, JsonTypeInfo<TResult> resultType,
        CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, JsonBody(body, bodyType, "application/json"), resultType, cancellationToken);

    /// <summary>
    /// Sends a request as the kubeconfig's user; an answer other than success throws <see cref="ApiException"/> with the
    /// Status the server sent. The response's body is left to the caller (<paramref name="completion"/>).
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        if (_config.TokenProvider is { } provider)
        {
            request.Headers.Authorization = await provider.GetAuthenticationHeaderAsync(cancellationToken);
        }
        else if (!string.IsNullOrEmpty(_config.AccessToken))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _config.AccessToken);
        }
        var response = await _http.SendAsync(request, completion, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new ApiException(response.StatusCode, StatusIn(body)?.Message ?? body, $"{request.Method} {request.RequestUri}");
        }
    }

    private async Task<TResult> SendAsync<TResult>(HttpMethod method, string path, HttpContent? body, JsonTypeInfo<TResult> resultType,
        CancellationToken cancellationToken)
    {
        // the body is decoded as it arrives rather than buffered whole (a list of many pods would be a large object),
        // within the same time the client allows a request
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_http.Timeout);
        using var request = new HttpRequestMessage(method, path) { Content = body };
        using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        return await JsonSerializer.DeserializeAsync(stream, resultType, timeout.Token)
            ?? throw new JsonException($"{method} {path} answered null");
    }

    private static ByteArrayContent JsonBody<T>(T value, JsonTypeInfo<T> type, string mediaType)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, type));
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    private static V1Status? StatusIn(string body)
    {
        try
        {
            return body.StartsWith('{') ? JsonSerializer.Deserialize(body, AgentJson.Default.V1Status) : null;
        }
        catch (JsonException)
        {
            return null; // not a Status: the body itself says what went wrong
        }
    }

    private static X509Certificate2? ClientCertificate(KubernetesClientConfiguration config)
    {
        if (config.ClientCertificateData is { } certificate && config.ClientCertificateKeyData is { } key)
        {
            return X509Certificate2.CreateFromPem(Decoded(certificate), Decoded(key));
        }
        if (config.ClientCertificateFilePath is { } certificateFile && config.ClientKeyFilePath is { } keyFile)
        {
            return X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        }
        return null;
    }

    private static string Decoded(string base64) => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64));

    /// <summary>Whether the server's certificate chains to one of the cluster's authorities and names the server.</summary>
    private bool IssuedByCluster(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is not X509Certificate2 server)
        {
            return false;
        }
        return ClusterTrust.IssuedBy(server, ClusterAuthorities);
    }

    public void Dispose() => _http.Dispose();
}
