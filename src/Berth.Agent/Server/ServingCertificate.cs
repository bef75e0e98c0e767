using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Agent.Server;

/// <summary>
/// The certificate the agent's endpoint serves: self-signed for the node's address and name, made at each start, as
/// a kubelet makes one when it is given none. The API server does not check it, as kube-apiserver does not without
/// <c>--kubelet-certificate-authority</c>; the clients are checked instead.
/// </summary>
internal static class ServingCertificate
{
    public static X509Certificate2 Create(AgentOptions options, TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={options.NodeName}@berth-agent", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // serverAuth
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(options.Address);
        names.AddDnsName(options.NodeName);
        if (!options.Address.Equals(IPAddress.Loopback))
        {
            names.AddIpAddress(IPAddress.Loopback);
        }
        request.CertificateExtensions.Add(names.Build());
        var now = time.GetUtcNow();
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));
        // an ephemeral key cannot serve TLS on every platform: round-trip through PKCS#12
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
