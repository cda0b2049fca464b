using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EtcdMaintenance.Testing;

/// <summary>A CA with server/peer and client certificates for loopback, written as PEM files the way kubeadm lays them out (keys 0600).</summary>
public sealed class LocalEtcdCertificates
{
    private LocalEtcdCertificates(string directory) => Directory = directory;

    /// <summary>The directory holding the PEM files.</summary>
    public string Directory { get; }

    /// <summary>The CA certificate (etcd's <c>--trusted-ca-file</c>, a client's CA).</summary>
    public string CaFile => Path.Combine(Directory, "ca.crt");

    /// <summary>The server certificate, for 127.0.0.1 and localhost, also used by peers.</summary>
    public string ServerCertFile => Path.Combine(Directory, "server.crt");

    /// <summary>The server key.</summary>
    public string ServerKeyFile => Path.Combine(Directory, "server.key");

    /// <summary>A client certificate signed by the CA.</summary>
    public string ClientCertFile => Path.Combine(Directory, "client.crt");

    /// <summary>The client key.</summary>
    public string ClientKeyFile => Path.Combine(Directory, "client.key");

    /// <summary>Creates a CA, a server certificate for 127.0.0.1/localhost and <paramref name="serverAddresses"/> (server and client auth, used for peers too) and a client certificate.</summary>
    public static LocalEtcdCertificates Create(string directory, string caName = "etcd-test-ca", IEnumerable<IPAddress>? serverAddresses = null)
    {
        System.IO.Directory.CreateDirectory(directory);
        var certs = new LocalEtcdCertificates(directory);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN={caName}", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = DateTimeOffset.UtcNow.AddDays(30);
        using var ca = caRequest.CreateSelfSigned(notBefore, notAfter);
        File.WriteAllText(certs.CaFile, ca.ExportCertificatePem());

        Issue(ca, "etcd-server", certs.ServerCertFile, certs.ServerKeyFile, [IPAddress.Loopback, .. serverAddresses ?? []], notBefore, notAfter);
        Issue(ca, "etcd-client", certs.ClientCertFile, certs.ClientKeyFile, null, notBefore, notAfter);
        return certs;
    }

    /// <summary>Issues a certificate: for a server (and its peers) when <paramref name="serverAddresses"/> is given, for a client otherwise.</summary>
    private static void Issue(X509Certificate2 ca, string name, string certFile, string keyFile, IReadOnlyList<IPAddress>? serverAddresses, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        var usages = new OidCollection { new Oid("1.3.6.1.5.5.7.3.2") }; // client auth
        if (serverAddresses is not null)
        {
            usages.Add(new Oid("1.3.6.1.5.5.7.3.1")); // server auth
            var san = new SubjectAlternativeNameBuilder();
            foreach (var address in serverAddresses)
            {
                san.AddIpAddress(address);
            }

            san.AddDnsName("localhost");
            request.CertificateExtensions.Add(san.Build());
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var cert = request.Create(ca, notBefore, notAfter, serial);
        File.WriteAllText(certFile, cert.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
