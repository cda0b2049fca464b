using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EtcdMaintenance.Transport;

/// <summary>
/// Builds one <see cref="SocketsHttpHandler"/> per endpoint from the transport settings: dial timeout, a single HTTP/2
/// connection, keepalive pings while calls are in flight, no proxy, and TLS as etcdctl does it (custom CA, client
/// certificate, server-name override; verification on unless <see cref="TransportSettings.InsecureSkipTlsVerify"/> is
/// set explicitly).
/// </summary>
internal sealed class EtcdHttpHandlerFactory : IDisposable
{
    private readonly TimeSpan _dialTimeout;
    private readonly TimeSpan _keepAliveTime;
    private readonly TimeSpan _keepAliveTimeout;
    private readonly string? _serverName;
    private readonly X509Certificate2Collection? _trustedRoots;
    private readonly X509Certificate2? _clientCertificate;
    private readonly bool _ownsClientCertificate;
    private readonly bool _skipVerify;

    public EtcdHttpHandlerFactory(TransportSettings tls)
    {
        _dialTimeout = tls.DialTimeout;
        _keepAliveTime = tls.KeepAliveTime;
        _keepAliveTimeout = tls.KeepAliveTimeout;
        _serverName = tls.ServerName;
        _skipVerify = tls.InsecureSkipTlsVerify;
        if (tls.CaCertificate is not null)
        {
            _trustedRoots = [tls.CaCertificate];
        }
        else if (tls.CaFile is not null)
        {
            _trustedRoots = LoadCa(tls.CaFile);
        }

        if (tls.ClientCertificate is not null)
        {
            _clientCertificate = tls.ClientCertificate;
        }
        else if (tls.CertFile is not null && tls.KeyFile is not null)
        {
            _clientCertificate = LoadClientCertificate(tls.CertFile, tls.KeyFile);
            _ownsClientCertificate = true;
        }
    }

    public HttpMessageHandler Create(EtcdEndpoint endpoint)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = _dialTimeout,
            EnableMultipleHttp2Connections = false,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            KeepAlivePingDelay = _keepAliveTime,
            KeepAlivePingTimeout = _keepAliveTimeout,
            // etcd counts pings on a connection with no call as abuse and closes it (grpc-go's PermitWithoutStream=false).
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };

        if (endpoint.UsesTls)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = _clientCertificate is null ? null : [_clientCertificate],
#pragma warning disable CA5359 // Only when the caller set InsecureSkipTlsVerify explicitly, as etcdctl --insecure-skip-tls-verify.
                RemoteCertificateValidationCallback = _skipVerify ? static (_, _, _, _) => true : _trustedRoots is null && _serverName is null ? null : Validate,
#pragma warning restore CA5359
            };
        }

        return handler;
    }

    public void Dispose()
    {
        if (_ownsClientCertificate)
        {
            _clientCertificate?.Dispose();
        }
    }

    /// <summary>
    /// Certificate checks when a CA or a server name is configured. Nothing is ever forgiven: the chain must lead to the
    /// configured CA (or the system roots), and the certificate must name the configured server name (or the host).
    /// SocketsHttpHandler always validates against the request's host, so the name override is checked here.
    /// </summary>
    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }

        using var leaf = new X509Certificate2(certificate);
        var nameOk = _serverName is null
            ? (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0
            : leaf.MatchesHostname(_serverName);
        if (!nameOk)
        {
            return false;
        }

        if (_trustedRoots is null)
        {
            return (errors & SslPolicyErrors.RemoteCertificateChainErrors) == 0;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_trustedRoots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements.Skip(1))
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return custom.Build(leaf);
    }

    private static X509Certificate2Collection LoadCa(string path)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"Tls.CaFile '{path}' could not be read as PEM certificates: {ex.Message}", nameof(path), ex);
        }

        if (collection.Count == 0)
        {
            throw new ArgumentException($"Tls.CaFile '{path}' holds no PEM certificate (expected -----BEGIN CERTIFICATE-----).", nameof(path));
        }

        return collection;
    }

    private static X509Certificate2 LoadClientCertificate(string certFile, string keyFile)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certFile, keyFile);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            // The key file's content is never put in the message.
            throw new ArgumentException($"Tls.CertFile '{certFile}' with Tls.KeyFile '{keyFile}' could not be loaded as a PEM certificate and its private key: {ex.Message}", nameof(certFile), ex);
        }
    }
}
