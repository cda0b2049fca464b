namespace EtcdMaintenance;

/// <summary>Where a member's <see cref="EndpointStatus.DbSizeQuota"/> came from.</summary>
public enum EtcdQuotaSource
{
    /// <summary>Not known; <see cref="EndpointStatus.QuotaUnavailableReason"/> says why.</summary>
    Unknown = 0,

    /// <summary>Reported by the member in its status (<c>StatusResponse.dbSizeQuota</c>, etcd 3.6+).</summary>
    StatusResponse = 1,

    /// <summary>
    /// Read from the member's <c>GET /metrics</c> (<c>etcd_server_quota_backend_bytes</c>; etcd 3.4 and 3.5 do not report
    /// the quota in their status) with the client's TLS settings and client certificate.
    /// </summary>
    Metrics = 2,

    /// <summary>
    /// Configured: <see cref="EtcdClientOptions.QuotaBackendBytes"/>, which overrides what the member reports, or an
    /// operation's own <c>QuotaBackendBytes</c> option for a member whose quota could not be read.
    /// </summary>
    Configured = 3,
}
