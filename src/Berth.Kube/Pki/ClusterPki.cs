using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Kube.Pki;

/// <summary>
/// The install's certificate authority and the certificates it signs: the API server's serving
/// certificate and the administrator's client certificate. Made at first start and kept as PEM files
/// in the data folder's <c>pki</c> directory, so kubeconfigs written earlier stay valid.
/// </summary>
public sealed class ClusterPki : IDisposable
{
    private ClusterPki(X509Certificate2 authority, X509Certificate2 server, X509Certificate2 admin, X509Certificate2 kubeletClient,
        ECDsa serviceAccountKey, byte[] encryptionKey)
    {
        EncryptionKey = encryptionKey;
        Authority = authority;
        Server = server;
        Admin = admin;
        KubeletClient = kubeletClient;
        ServiceAccountKey = serviceAccountKey;
    }

    /// <summary>The CA certificate, with its private key.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>The API server's serving certificate for localhost, 127.0.0.1 and ::1.</summary>
    public X509Certificate2 Server { get; }

    /// <summary>A client certificate for user <c>berth-admin</c> in group <c>system:masters</c>.</summary>
    public X509Certificate2 Admin { get; }

    /// <summary>
    /// The API server's client certificate towards node agents (<c>kube-apiserver-kubelet-client</c> in group
    /// <c>system:masters</c>), as kube-apiserver's <c>--kubelet-client-certificate</c>.
    /// </summary>
    public X509Certificate2 KubeletClient { get; }

    /// <summary>The key that signs service-account tokens, as kube-apiserver's <c>--service-account-signing-key-file</c>.</summary>
    public ECDsa ServiceAccountKey { get; }

    /// <summary>The AES-256 key Secrets are sealed with in the store (<c>pki/encryption.key</c>).</summary>
    public ReadOnlyMemory<byte> EncryptionKey { get; }

    public static ClusterPki LoadOrCreate(string dataDirectory, TimeProvider time)
    {
        var directory = Path.Combine(dataDirectory, "pki");
        Directory.CreateDirectory(directory);
        var authority = LoadOrCreate(directory, "ca", () => CreateAuthority(time));
        var server = LoadOrCreate(directory, "apiserver", () => Issue(authority, time, "berth-apiserver", null, server: true));
        var admin = LoadOrCreate(directory, "admin", () => Issue(authority, time, "berth-admin", "system:masters", server: false));
        var kubeletClient = LoadOrCreate(directory, "apiserver-kubelet-client",
            () => Issue(authority, time, "kube-apiserver-kubelet-client", "system:masters", server: false));
        return new ClusterPki(authority, server, admin, kubeletClient, LoadOrCreateKey(Path.Combine(directory, "service-account.key")),
            LoadOrCreateSecret(Path.Combine(directory, "encryption.key")));
    }

    /// <summary>True when <paramref name="certificate"/> was issued by this install's CA and is valid now.</summary>
    public bool IsTrusted(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2")); // clientAuth
        return chain.Build(certificate);
    }

    public void Dispose()
    {
        Authority.Dispose();
        Server.Dispose();
        Admin.Dispose();
        KubeletClient.Dispose();
        ServiceAccountKey.Dispose();
    }

    private static byte[] LoadOrCreateSecret(string path)
    {
        if (File.Exists(path))
        {
            var key = Convert.FromBase64String(File.ReadAllText(path).Trim());
            return key.Length == 32 ? key : throw new InvalidDataException($"{path} does not hold a 32-byte key.");
        }
        var created = RandomNumberGenerator.GetBytes(32);
        PrivateFile.Write(path, Convert.ToBase64String(created) + "\n");
        return created;
    }

    private static ECDsa LoadOrCreateKey(string path)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (File.Exists(path))
        {
            key.ImportFromPem(File.ReadAllText(path));
            return key;
        }
        PrivateFile.Write(path, key.ExportPkcs8PrivateKeyPem());
        return key;
    }

    private static X509Certificate2 LoadOrCreate(string directory, string name, Func<X509Certificate2> create)
    {
        var certificatePath = Path.Combine(directory, name + ".crt");
        var keyPath = Path.Combine(directory, name + ".key");
        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        var certificate = create();
        using var key = certificate.GetECDsaPrivateKey()!;
        // Key first, each file complete before it appears: a crash leaves no certificate without its key.
        PrivateFile.Write(keyPath, key.ExportPkcs8PrivateKeyPem());
        PrivateFile.Write(certificatePath, certificate.ExportCertificatePem(), readableByAll: true);
        return certificate;
    }

    private static X509Certificate2 CreateAuthority(TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=berth-ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = time.GetUtcNow();
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
    }

    private static X509Certificate2 Issue(X509Certificate2 authority, TimeProvider time, string commonName, string? organization, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = organization is null ? $"CN={commonName}" : $"CN={commonName}, O={organization}";
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            names.AddIpAddress(IPAddress.IPv6Loopback);
            request.CertificateExtensions.Add(names.Build());
        }
        var now = time.GetUtcNow();
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number
        using var issued = request.Create(authority, now.AddMinutes(-5), now.AddYears(5), serial);
        return issued.CopyWithPrivateKey(key);
    }
}
