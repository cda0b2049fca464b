using System.Security.Cryptography.X509Certificates;
using EtcdMaintenance.Transport;
using Grpc.Core.Interceptors;

namespace EtcdMaintenance;

/// <summary>
/// How to reach an etcd cluster, in etcdctl's terms: <c>--endpoints</c>, <c>--cacert/--cert/--key</c>,
/// <c>--user/--password</c>, <c>--dial-timeout</c>, <c>--command-timeout</c>. Bindable from configuration
/// (<c>"Etcd": { "Endpoints": [ ... ], "Tls": { "CaFile": ... } }</c>) and validated by the client's constructor and by
/// <c>AddEtcdMaintenance</c> (<c>ValidateOnStart</c>).
/// </summary>
public sealed class EtcdClientOptions
{
    /// <summary>
    /// The members' client URLs: <c>https://10.0.0.1:2379</c>, <c>10.0.0.1:2379</c>, or comma lists of them as
    /// etcdctl's <c>--endpoints</c> takes them. An entry without a scheme uses TLS when <see cref="Tls"/> is set.
    /// </summary>
    /// <value>Empty by default: at least one is required.</value>
    public IList<string> Endpoints { get; set; } = [];

    /// <summary>TLS settings; leave <see cref="EtcdTlsOptions.Enabled"/> off (the default) for plain <c>http://</c> clusters.</summary>
    public EtcdTlsOptions Tls { get; set; } = new();

    /// <summary>The etcd user for clusters with auth enabled (<c>--user</c>).</summary>
    /// <value><see langword="null"/> by default: no authentication.</value>
    public string? Username { get; set; }

    /// <summary>The user's password (<c>--password</c>). Never logged.</summary>
    /// <value><see langword="null"/> by default.</value>
    public string? Password { get; set; }

    /// <summary>How long to wait for a connection to a member (<c>--dial-timeout</c>).</summary>
    /// <value>2 seconds, etcdctl's default.</value>
    public TimeSpan DialTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The deadline of an ordinary call (<c>--command-timeout</c>).</summary>
    /// <value>5 seconds, etcdctl's default.</value>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The deadline of one member's defragment. Defragment blocks the member and takes seconds per GB, and it is never
    /// retried automatically (a retry would stack a second defragment on the same member).
    /// </summary>
    /// <value>120 seconds, what operators pass as <c>--command-timeout=120s</c> for <c>etcdctl defrag</c>.</value>
    public TimeSpan DefragmentTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// How long a snapshot download may wait for its next chunk. There is no deadline on the whole download: a large
    /// database takes as long as it takes, while a member that stops sending fails the download after this long.
    /// </summary>
    /// <value>10 minutes.</value>
    public TimeSpan SnapshotTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The backend quota in bytes (<c>--quota-backend-bytes</c> of the members). When set, it overrides what each member
    /// reports (<see cref="EndpointStatus.QuotaSource"/> is then <see cref="EtcdQuotaSource.Configured"/>).
    /// </summary>
    /// <value>
    /// <see langword="null"/> by default: each member's own quota, from its status (etcd 3.6+) or its <c>/metrics</c>
    /// (etcd 3.4, 3.5; read once and kept for 5 minutes per member).
    /// </value>
    public long? QuotaBackendBytes { get; set; }

    /// <summary>
    /// How long a connection with calls in flight may be silent before the client pings the member
    /// (<c>--keepalive-time</c>). etcd refuses pings more often than its <c>--grpc-keepalive-min-time</c> (5 s by default).
    /// </summary>
    /// <value>10 seconds, the shortest interval etcd's own Go client uses.</value>
    public TimeSpan KeepAliveTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long to wait for the answer to a keepalive ping before closing the connection as dead and failing its calls
    /// (<c>--keepalive-timeout</c>): a paused or unplugged member is noticed this long after the ping instead of at each
    /// call's deadline. The next call opens a new connection.
    /// </summary>
    /// <value>6 seconds, etcdctl's default.</value>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>
    /// gRPC interceptors that see every call the client makes (status polls included), e.g. for logging, metrics or extra
    /// headers; the first one in the list is the outermost. Set from code only (not read from configuration).
    /// </summary>
    /// <value>Empty: no interceptor.</value>
    public IList<Interceptor> Interceptors { get; set; } = [];

    /// <summary>The transport's settings from these options; call after validation.</summary>
    internal TransportSettings ToTransportSettings() => new()
    {
        DialTimeout = DialTimeout,
        KeepAliveTime = KeepAliveTime,
        KeepAliveTimeout = KeepAliveTimeout,
        CaCertificate = Tls.CaCertificate,
        CaFile = Tls.CaFile,
        ClientCertificate = Tls.ClientCertificate,
        CertFile = Tls.CertFile,
        KeyFile = Tls.KeyFile,
        ServerName = Tls.ServerName,
        InsecureSkipTlsVerify = Tls.InsecureSkipTlsVerify,
        Interceptors = [.. Interceptors],
    };

    /// <summary>Parses <see cref="Endpoints"/>; call after validation.</summary>
    internal IReadOnlyList<EtcdEndpoint> ParseEndpoints() =>
        [.. Endpoints.SelectMany(e => EtcdEndpoint.ParseList(e, Tls.Enabled)).Distinct()];
}

/// <summary>TLS settings, like etcdctl's <c>--cacert</c>, <c>--cert</c>, <c>--key</c>.</summary>
public sealed class EtcdTlsOptions
{
    /// <summary>
    /// Whether to use TLS for endpoints written without a scheme. Endpoints written <c>https://</c> use TLS regardless.
    /// </summary>
    /// <value><see langword="false"/> by default; set to <see langword="true"/> automatically by any file or certificate below.</value>
    public bool Enabled
    {
        get => _enabled || CaFile is not null || CertFile is not null || CaCertificate is not null || ClientCertificate is not null;
        set => _enabled = value;
    }

    private bool _enabled;

    /// <summary>PEM file of the CA that signed the members' server certificates (<c>--cacert</c>), e.g. <c>/etc/kubernetes/pki/etcd/ca.crt</c>.</summary>
    /// <value><see langword="null"/>: the system's trusted roots.</value>
    public string? CaFile { get; set; }

    /// <summary>PEM file of the client certificate (<c>--cert</c>), e.g. <c>/etc/kubernetes/pki/etcd/healthcheck-client.crt</c>.</summary>
    /// <value><see langword="null"/>: no client certificate.</value>
    public string? CertFile { get; set; }

    /// <summary>PEM file of the client certificate's private key (<c>--key</c>). Its content is never logged.</summary>
    /// <value><see langword="null"/>.</value>
    public string? KeyFile { get; set; }

    /// <summary>The CA certificate as an object, instead of <see cref="CaFile"/>.</summary>
    /// <value><see langword="null"/>.</value>
    public X509Certificate2? CaCertificate { get; set; }

    /// <summary>The client certificate with its private key, instead of <see cref="CertFile"/> and <see cref="KeyFile"/>.</summary>
    /// <value><see langword="null"/>.</value>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>
    /// Accepts any server certificate without checking it, as etcdctl's <c>--insecure-skip-tls-verify</c> does. Only for a
    /// lab or an emergency: anyone on the path can then read and change the traffic, credentials included. A client
    /// certificate is still presented.
    /// </summary>
    /// <value><see langword="false"/> by default: the chain and the name are always verified.</value>
    public bool InsecureSkipTlsVerify { get; set; }

    /// <summary>
    /// The name to expect in the members' certificates, when it differs from the host in the endpoint
    /// (e.g. endpoints by IP, certificates by name).
    /// </summary>
    /// <value><see langword="null"/>: the endpoint's host.</value>
    public string? ServerName { get; set; }
}
