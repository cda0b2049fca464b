using EtcdMaintenance.Hosting;

namespace EtcdMaintenance.Testing;

/// <summary>How to start a throwaway <see cref="LocalEtcdCluster"/>.</summary>
public sealed class LocalEtcdClusterOptions
{
    /// <summary>How many members to start (named n1, n2, ...). One by default.</summary>
    public int Members { get; init; } = 1;

    /// <summary>The members' names before their number: "n" (n1, n2, ...) by default.</summary>
    public string MemberNamePrefix { get; init; } = "n";

    /// <summary>Serve clients over TLS (and peers too), with certificates made for the cluster (<see cref="LocalEtcdCluster.Certificates"/>).</summary>
    public bool Tls { get; init; }

    /// <summary>With <see cref="Tls"/>: require client certificates (etcd <c>--client-cert-auth</c>). On by default.</summary>
    public bool ClientCertAuth { get; init; } = true;

    /// <summary>etcd <c>--quota-backend-bytes</c> for every member; etcd's default when <see langword="null"/>.</summary>
    public long? QuotaBackendBytes { get; init; }

    /// <summary>A <c>--quota-backend-bytes</c> per member (n1, n2, ...), instead of <see cref="QuotaBackendBytes"/>.</summary>
    public IReadOnlyList<long>? MemberQuotas { get; init; }

    /// <summary>etcd <c>--auto-compaction-mode</c> (periodic|revision) with <see cref="AutoCompactionRetention"/>.</summary>
    public string? AutoCompactionMode { get; init; }

    /// <summary>etcd <c>--auto-compaction-retention</c>, with <see cref="AutoCompactionMode"/>.</summary>
    public string? AutoCompactionRetention { get; init; }

    /// <summary>When set, auth is enabled with user root and this password (and a user "reader" with no roles, password "reader").</summary>
    public string? RootPassword { get; init; }

    /// <summary>
    /// Run each member through a <see cref="LocalProcessEtcdHost"/> from a manifest file (as the maintenance operations
    /// expect of a node), not as a bare child process.
    /// </summary>
    public bool Hosted { get; init; }

    /// <summary>The etcd binary; <see cref="EtcdBinaries.Etcd"/> (ETCD_BIN, then PATH) when <see langword="null"/>.</summary>
    public string? EtcdBinary { get; init; }
}
