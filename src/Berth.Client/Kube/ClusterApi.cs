using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Berth.Client.Aws;
using k8s;

namespace Berth.Client.Kube;

/// <summary>
/// A Kubernetes client for an EKS cluster, made as kubectl's would be from <c>aws eks update-kubeconfig</c>: the
/// endpoint and CA that DescribeCluster gives, and an <c>aws eks get-token</c> bearer token.
/// </summary>
public static class ClusterApi
{
    public static Kubernetes Connect(JsonObject cluster, AwsSettings settings, DateTimeOffset now)
    {
        var name = cluster["name"]!.GetValue<string>();
        var endpoint = cluster["endpoint"]?.GetValue<string>() ?? throw new InvalidOperationException($"cluster {name} has no endpoint yet");
        var ca = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(Pem(cluster["certificateAuthority"]?["data"]?.GetValue<string>() ?? "")));
        return new Kubernetes(new KubernetesClientConfiguration
        {
            Host = endpoint,
            SslCaCerts = [ca],
            AccessToken = EksToken.Create(settings, name, now),
        });
    }

    /// <summary>EKS gives the CA as base64 of its PEM; the loader takes the DER inside.</summary>
    private static string Pem(string data)
    {
        var text = System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(data));
        return string.Concat(text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal)));
    }
}
