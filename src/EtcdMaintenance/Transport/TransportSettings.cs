using System.Security.Cryptography.X509Certificates;
using Grpc.Core.Interceptors;

namespace EtcdMaintenance.Transport;

/// <summary>
/// What the transport needs to reach members: connection, keepalive and TLS settings and the callers' gRPC interceptors.
/// The client builds it from its options (<c>EtcdClientOptions.ToTransportSettings</c>), so the transport knows nothing
/// of the client's option types.
/// </summary>
internal sealed record TransportSettings
{
    /// <summary>How long to wait for a connection (etcdctl's <c>--dial-timeout</c>).</summary>
    public required TimeSpan DialTimeout { get; init; }

    /// <summary>Silence on a busy connection before a keepalive ping (<c>--keepalive-time</c>).</summary>
    public required TimeSpan KeepAliveTime { get; init; }

    /// <summary>How long a keepalive ping may go unanswered (<c>--keepalive-timeout</c>).</summary>
    public required TimeSpan KeepAliveTimeout { get; init; }

    /// <summary>The CA as an object; wins over <see cref="CaFile"/>.</summary>
    public X509Certificate2? CaCertificate { get; init; }

    /// <summary>PEM file of the CA (<c>--cacert</c>).</summary>
    public string? CaFile { get; init; }

    /// <summary>The client certificate with its key as an object; wins over <see cref="CertFile"/> and <see cref="KeyFile"/>.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>PEM file of the client certificate (<c>--cert</c>).</summary>
    public string? CertFile { get; init; }

    /// <summary>PEM file of the client certificate's key (<c>--key</c>).</summary>
    public string? KeyFile { get; init; }

    /// <summary>The name expected in the members' certificates instead of the endpoint's host.</summary>
    public string? ServerName { get; init; }

    /// <summary>Accept any server certificate (<c>--insecure-skip-tls-verify</c>); only when set explicitly.</summary>
    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>gRPC interceptors around every call, the first one outermost.</summary>
    public IReadOnlyList<Interceptor> Interceptors { get; init; } = [];
}
