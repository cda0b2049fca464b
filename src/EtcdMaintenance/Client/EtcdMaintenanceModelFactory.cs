namespace EtcdMaintenance;

/// <summary>
/// Builds the client's results with every value optional except what identifies them, for callers' own tests: a fake
/// <see cref="IEtcdMaintenanceClient"/> returns these the way the real client would (derived values such as
/// <see cref="EndpointStatus.IsLeader"/>, <see cref="EndpointStatus.Revision"/> and <see cref="ClusterStatus.Leader"/>
/// follow from what is given).
/// </summary>
public static class EtcdMaintenanceModelFactory
{
    /// <summary>A response header.</summary>
    /// <param name="clusterId">The cluster's ID.</param>
    /// <param name="memberId">The member that answered.</param>
    /// <param name="revision">The store's revision when it answered.</param>
    /// <param name="raftTerm">The raft term.</param>
    public static ResponseHeader ResponseHeader(ulong clusterId = 0, MemberId memberId = default, long revision = 0, ulong raftTerm = 0) =>
        new(clusterId, memberId, revision, raftTerm);

    /// <summary>
    /// One member's status. Its header carries <paramref name="clusterId"/>, <paramref name="memberId"/>,
    /// <paramref name="revision"/> and <paramref name="raftTerm"/>; the member leads when <paramref name="leader"/> equals
    /// <paramref name="memberId"/>.
    /// </summary>
    /// <param name="endpoint">The endpoint that answered, e.g. <c>https://10.0.0.1:2379</c>.</param>
    /// <param name="memberId">The member's ID.</param>
    /// <param name="leader">The leader the member knows (<see cref="MemberId.None"/>: none).</param>
    /// <param name="dbSize">The database file's size in bytes.</param>
    /// <param name="dbSizeInUse">The bytes in use, when known.</param>
    /// <param name="dbSizeQuota">The member's quota in bytes, when known.</param>
    /// <param name="quotaSource">Where the quota came from; by default <see cref="EtcdQuotaSource.StatusResponse"/> when a quota is given.</param>
    /// <param name="revision">The store's revision.</param>
    /// <param name="version">The server's version.</param>
    /// <param name="raftTerm">The raft term.</param>
    /// <param name="raftIndex">The raft index.</param>
    /// <param name="raftAppliedIndex">The applied raft index; by default <paramref name="raftIndex"/> (no apply lag).</param>
    /// <param name="isLearner">Whether the member is a learner.</param>
    /// <param name="errors">The errors the member reports (e.g. an active alarm's text).</param>
    /// <param name="clusterId">The cluster's ID.</param>
    /// <param name="storageVersion">The storage version (etcd 3.6+).</param>
    public static EndpointStatus EndpointStatus(
        string endpoint,
        MemberId memberId,
        MemberId leader = default,
        long dbSize = 0,
        long? dbSizeInUse = null,
        long? dbSizeQuota = null,
        EtcdQuotaSource? quotaSource = null,
        long revision = 0,
        string version = "3.5.30",
        ulong raftTerm = 1,
        ulong raftIndex = 0,
        ulong? raftAppliedIndex = null,
        bool isLearner = false,
        IReadOnlyList<string>? errors = null,
        ulong clusterId = 0,
        string? storageVersion = null)
    {
        var status = new EndpointStatus(endpoint, memberId, version, dbSize, leader, raftIndex, raftTerm, raftAppliedIndex ?? raftIndex)
        {
            Header = new ResponseHeader(clusterId, memberId, revision, raftTerm),
            DbSizeInUse = dbSizeInUse,
            DbSizeQuota = dbSizeQuota,
            IsLearner = isLearner,
            Errors = errors ?? [],
            StorageVersion = storageVersion,
        };
        return quotaSource is { } source ? status with { QuotaSource = source } : status;
    }

    /// <summary>An endpoint that answered with <paramref name="status"/>.</summary>
    /// <param name="endpoint">The endpoint asked.</param>
    /// <param name="status">Its status.</param>
    public static EndpointStatusResult EndpointStatusResult(EtcdEndpoint endpoint, EndpointStatus status) => new(endpoint, status, null);

    /// <summary>An endpoint that did not answer, with the error it gave.</summary>
    /// <param name="endpoint">The endpoint asked.</param>
    /// <param name="error">Why it did not answer, e.g. an <see cref="EtcdUnavailableException"/>.</param>
    public static EndpointStatusResult EndpointStatusResult(EtcdEndpoint endpoint, EtcdException error) => new(endpoint, null, error);

    /// <summary>A cluster status from one entry per endpoint, in the configured order.</summary>
    /// <param name="endpoints">The entries.</param>
    public static ClusterStatus ClusterStatus(params IEnumerable<EndpointStatusResult> endpoints) => new([.. endpoints]);

    /// <summary>A member as the member list shows it (an empty <paramref name="name"/>: added but not started yet).</summary>
    /// <param name="id">The member's ID.</param>
    /// <param name="name">Its name.</param>
    /// <param name="peerUrls">Its peer URLs.</param>
    /// <param name="clientUrls">Its client URLs.</param>
    /// <param name="isLearner">Whether it is a learner.</param>
    public static EtcdMember EtcdMember(MemberId id, string name, IReadOnlyList<string>? peerUrls = null, IReadOnlyList<string>? clientUrls = null, bool isLearner = false) =>
        new(id, name, peerUrls ?? [], clientUrls ?? [], isLearner);

    /// <summary>A member list.</summary>
    /// <param name="members">The members.</param>
    /// <param name="header">The response header; by default all zeros.</param>
    public static EtcdMemberList EtcdMemberList(IEnumerable<EtcdMember> members, ResponseHeader? header = null) =>
        new(header ?? ResponseHeader(), [.. members]);

    /// <summary>An active alarm.</summary>
    /// <param name="memberId">The member that raised it.</param>
    /// <param name="type">Its type.</param>
    public static EtcdAlarm EtcdAlarm(MemberId memberId, EtcdAlarmType type) => new(memberId, type);

    /// <summary>The answer to a compaction.</summary>
    /// <param name="revision">The revision compacted at.</param>
    /// <param name="physical">Whether the call waited for the physical compaction.</param>
    /// <param name="alreadyCompacted">Whether the history had already been compacted that far.</param>
    /// <param name="header">The response header; by default all zeros.</param>
    public static CompactionResult CompactionResult(long revision, bool physical = true, bool alreadyCompacted = false, ResponseHeader? header = null) =>
        new(header ?? ResponseHeader(), revision, physical) { AlreadyCompacted = alreadyCompacted };

    /// <summary>The answer to a defragment of one member.</summary>
    /// <param name="endpoint">The member's endpoint.</param>
    /// <param name="elapsed">How long it took.</param>
    /// <param name="header">The response header; by default all zeros.</param>
    public static DefragmentResult DefragmentResult(EtcdEndpoint endpoint, TimeSpan elapsed = default, ResponseHeader? header = null) =>
        new(endpoint, header ?? ResponseHeader(), elapsed);

    /// <summary>One member's hash of its key-value store.</summary>
    /// <param name="endpoint">The member's endpoint.</param>
    /// <param name="hash">The hash.</param>
    /// <param name="hashRevision">The revision hashed up to.</param>
    /// <param name="compactRevision">The member's compacted revision.</param>
    /// <param name="header">The response header; by default all zeros.</param>
    public static HashKvResult HashKvResult(EtcdEndpoint endpoint, uint hash, long hashRevision, long compactRevision = 0, ResponseHeader? header = null) =>
        new(endpoint, header ?? ResponseHeader(), hash, compactRevision, hashRevision);

    /// <summary>One endpoint's health.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="isHealthy">Whether it is healthy.</param>
    /// <param name="elapsed">How long the check took.</param>
    /// <param name="error">Why it is not healthy, when it is not.</param>
    /// <param name="alarms">The alarms it reported.</param>
    /// <param name="answersReads">Whether its linearizable read succeeded; by default when it is healthy or only alarms make it unhealthy.</param>
    public static EndpointHealth EndpointHealth(
        EtcdEndpoint endpoint, bool isHealthy = true, TimeSpan elapsed = default, string? error = null, IReadOnlyList<EtcdAlarm>? alarms = null, bool? answersReads = null) =>
        new(endpoint, isHealthy, elapsed, error) { AnswersReads = answersReads ?? (isHealthy || alarms is { Count: > 0 }), Alarms = alarms ?? [] };
}
