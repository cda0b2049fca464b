namespace EtcdMaintenance;

/// <summary>
/// One member's status, as <c>etcdctl endpoint status</c> shows it, with the figures operators otherwise work out
/// by hand (fragmented bytes, fragmentation ratio, apply lag, quota usage). Returned by the client
/// (RPC <c>Maintenance.Status</c>) and by the etcdctl output parsers alike.
/// </summary>
public sealed record EndpointStatus
{
    /// <summary>Creates a status with its required values; set the others with initializers (useful in callers' tests).</summary>
    public EndpointStatus(
        string endpoint,
        MemberId memberId,
        string version,
        long dbSize,
        MemberId leader,
        ulong raftIndex,
        ulong raftTerm,
        ulong raftAppliedIndex)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(version);
        Endpoint = endpoint;
        MemberId = memberId;
        Version = version;
        DbSize = dbSize;
        Leader = leader;
        RaftIndex = raftIndex;
        RaftTerm = raftTerm;
        RaftAppliedIndex = raftAppliedIndex;
    }

    /// <summary>The endpoint that answered, as it was addressed.</summary>
    public string Endpoint { get; init; }

    /// <summary>The answering member's ID.</summary>
    public MemberId MemberId { get; init; }

    /// <summary>
    /// The response header (cluster ID, revision, raft term). <see langword="null"/> only when parsed from an etcdctl
    /// format that does not print it (<c>-w table</c> and <c>-w simple</c>).
    /// </summary>
    public ResponseHeader? Header { get; init; }

    /// <summary>The etcd server version, e.g. <c>3.4.23</c>.</summary>
    public string Version { get; init; }

    /// <summary>The physical size of the backend database file in bytes (what the space quota is checked against).</summary>
    public long DbSize { get; init; }

    /// <summary>
    /// The bytes of the database file actually in use (etcd 3.4+). <see langword="null"/> when the source does not
    /// report it (for example etcdctl 3.4's <c>-w fields</c> and <c>-w table</c>).
    /// </summary>
    public long? DbSizeInUse { get; init; }

    /// <summary>
    /// Whether <see cref="DbSize"/> and <see cref="DbSizeInUse"/> are approximate: etcdctl's table and simple formats
    /// print sizes rounded in SI units (<c>8.4 MB</c>). Always <see langword="false"/> for values from the client.
    /// </summary>
    public bool SizesAreApproximate { get; init; }

    /// <summary>The member this member believes leads the cluster; <see cref="MemberId.None"/> when it knows of no leader.</summary>
    public MemberId Leader { get; init; }

    /// <summary>The member's raft log index (committed).</summary>
    public ulong RaftIndex { get; init; }

    /// <summary>The member's raft term.</summary>
    public ulong RaftTerm { get; init; }

    /// <summary>The raft index the member has applied to its store.</summary>
    public ulong RaftAppliedIndex { get; init; }

    /// <summary>The member's errors, as etcd reports them (e.g. <c>memberID:... alarm:NOSPACE</c>).</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>Whether the member is a learner (non-voting).</summary>
    public bool IsLearner { get; init; }

    /// <summary>The storage version (etcd 3.6+), or <see langword="null"/>.</summary>
    public string? StorageVersion { get; init; }

    /// <summary>
    /// The member's backend quota in bytes (<c>--quota-backend-bytes</c>), from where <see cref="QuotaSource"/> says;
    /// <see langword="null"/> when unknown (<see cref="QuotaUnavailableReason"/> then says why).
    /// </summary>
    public long? DbSizeQuota { get; init; }

    /// <summary>
    /// Where <see cref="DbSizeQuota"/> came from. When not set explicitly: <see cref="EtcdQuotaSource.StatusResponse"/>
    /// if a quota is set, otherwise <see cref="EtcdQuotaSource.Unknown"/>.
    /// </summary>
    public EtcdQuotaSource QuotaSource
    {
        get => _quotaSource ?? (DbSizeQuota is null ? EtcdQuotaSource.Unknown : EtcdQuotaSource.StatusResponse);
        init => _quotaSource = value;
    }

    private readonly EtcdQuotaSource? _quotaSource;

    /// <summary>Why <see cref="DbSizeQuota"/> is unknown (e.g. the member's <c>/metrics</c> could not be read), when it is.</summary>
    public string? QuotaUnavailableReason { get; init; }

    /// <summary>Whether this member is the leader (its ID equals the leader it reports).</summary>
    public bool IsLeader => !MemberId.IsNone && MemberId == Leader;

    /// <summary>Bytes that a defragment could give back: <c>dbSize - dbSizeInUse</c>, when in-use is known.</summary>
    public long? FragmentedBytes => DbSizeInUse is { } inUse ? Math.Max(0, DbSize - inUse) : null;

    /// <summary>The share of the database file not in use (0..1), when in-use is known and the file is not empty.</summary>
    public double? FragmentationRatio => FragmentedBytes is { } fragmented && DbSize > 0 ? (double)fragmented / DbSize : null;

    /// <summary>Raft entries committed but not yet applied: <c>raftIndex - raftAppliedIndex</c> (0 when applied is ahead).</summary>
    public ulong ApplyLag => RaftIndex > RaftAppliedIndex ? RaftIndex - RaftAppliedIndex : 0;

    /// <summary><see cref="DbSize"/> over <see cref="DbSizeQuota"/> (may exceed 1), when the quota is known.</summary>
    public double? QuotaUsage => DbSizeQuota is { } quota && quota > 0 ? (double)DbSize / quota : null;

    /// <summary>The revision from the header, when the source carried it.</summary>
    public long? Revision => Header?.Revision;
}
