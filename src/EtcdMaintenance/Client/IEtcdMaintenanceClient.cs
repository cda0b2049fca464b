namespace EtcdMaintenance;

/// <summary>
/// Everything etcdctl's maintenance commands do, over etcd's gRPC API, one long-lived thread-safe instance per
/// cluster. Calls that etcd answers per member (status, defragment, hash, snapshot, health) take the endpoint
/// explicitly; cluster-wide calls go to any reachable endpoint.
/// </summary>
/// <remarks>
/// Heavy or non-idempotent calls (defragment, compact, member changes, move-leader) are never retried automatically.
/// Every failure is an <see cref="EtcdException"/> naming the endpoint and the operation; cancellation through the
/// token surfaces as <see cref="OperationCanceledException"/>.
/// </remarks>
public interface IEtcdMaintenanceClient : IAsyncDisposable
{
    /// <summary>The configured endpoints, in order.</summary>
    IReadOnlyList<EtcdEndpoint> Endpoints { get; }

    /// <summary>One member's status.</summary>
    /// <remarks>RPC <c>Maintenance.Status</c>; <c>etcdctl endpoint status --endpoints=ENDPOINT</c>.</remarks>
    Task<EndpointStatus> GetStatusAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken = default);

    /// <summary>Every configured endpoint's status, asked in parallel; a failed endpoint is an entry with its error.</summary>
    /// <remarks>RPC <c>Maintenance.Status</c> per endpoint; <c>etcdctl endpoint status</c>.</remarks>
    Task<ClusterStatus> GetClusterStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>One endpoint's health: a linearizable read, and no active alarm.</summary>
    /// <remarks>RPC <c>KV.Range</c> of key <c>health</c> and <c>Maintenance.Alarm</c>; <c>etcdctl endpoint health</c>. Never throws for an unhealthy endpoint: the result says why.</remarks>
    Task<EndpointHealth> CheckHealthAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken = default);

    /// <summary>Every configured endpoint's health, checked in parallel.</summary>
    /// <remarks><c>etcdctl endpoint health</c>.</remarks>
    Task<IReadOnlyList<EndpointHealth>> CheckClusterHealthAsync(CancellationToken cancellationToken = default);

    /// <summary>The active alarms of the whole cluster.</summary>
    /// <remarks>RPC <c>Maintenance.Alarm</c> (GET); <c>etcdctl alarm list</c>.</remarks>
    Task<IReadOnlyList<EtcdAlarm>> GetAlarmsAsync(CancellationToken cancellationToken = default);

    /// <summary>Disarms one alarm on one member; returns the alarms etcd reports as disarmed.</summary>
    /// <remarks>RPC <c>Maintenance.Alarm</c> (DEACTIVATE). Disarming NOSPACE before the DB is back under quota only re-raises it at the next write.</remarks>
    Task<IReadOnlyList<EtcdAlarm>> DisarmAlarmAsync(MemberId memberId, EtcdAlarmType type, CancellationToken cancellationToken = default);

    /// <summary>Disarms every active alarm, CORRUPT included, as a bare <c>etcdctl alarm disarm</c> does.</summary>
    /// <remarks>RPC <c>Maintenance.Alarm</c> (GET, then DEACTIVATE each); <c>etcdctl alarm disarm</c>. Prefer disarming NOSPACE only.</remarks>
    Task<IReadOnlyList<EtcdAlarm>> DisarmAllAlarmsAsync(CancellationToken cancellationToken = default);

    /// <summary>Compacts the key-value history up to <paramref name="revision"/>.</summary>
    /// <remarks>
    /// RPC <c>KV.Compact</c>; <c>etcdctl compact REV [--physical]</c>. With <paramref name="physical"/> the call returns once
    /// the compaction is applied in the backend, and uses <see cref="EtcdClientOptions.DefragmentTimeout"/>. Never retried.
    /// </remarks>
    Task<CompactionResult> CompactAsync(long revision, bool physical = true, CancellationToken cancellationToken = default);

    /// <summary>Defragments one member's backend database, giving the free pages back to the file system.</summary>
    /// <remarks>
    /// RPC <c>Maintenance.Defragment</c>; <c>etcdctl defrag --endpoints=ENDPOINT</c>. The member blocks while it runs
    /// (reads and health checks included). Uses <see cref="EtcdClientOptions.DefragmentTimeout"/>; never retried,
    /// because a retry would stack a second defragment on the same member. Fails on a learner.
    /// </remarks>
    Task<DefragmentResult> DefragmentAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken = default);

    /// <summary>The hash of one member's keys and values up to a revision (0: the current one).</summary>
    /// <remarks>RPC <c>Maintenance.HashKV</c>; <c>etcdctl endpoint hashkv --rev=REV</c>. Members with the same data give the same hash at the same revision.</remarks>
    Task<HashKvResult> HashKvAsync(EtcdEndpoint endpoint, long revision = 0, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams a snapshot of one member's database into <paramref name="destination"/> in constant memory and verifies the
    /// SHA-256 etcd appends; the destination receives exactly what <c>etcdctl snapshot save</c> writes.
    /// </summary>
    /// <remarks>RPC <c>Maintenance.Snapshot</c>; <c>etcdctl snapshot save</c>. Uses <see cref="EtcdClientOptions.SnapshotTimeout"/>.</remarks>
    Task<SnapshotResult> SnapshotAsync(EtcdEndpoint endpoint, Stream destination, CancellationToken cancellationToken = default);

    /// <summary>Transfers leadership to <paramref name="target"/>; the request goes to the current leader, found first.</summary>
    /// <remarks>RPC <c>Maintenance.MoveLeader</c>; <c>etcdctl move-leader HEXID</c>. Never retried.</remarks>
    Task<ResponseHeader> MoveLeaderAsync(MemberId target, CancellationToken cancellationToken = default);

    /// <summary>The cluster's members.</summary>
    /// <remarks>RPC <c>Cluster.MemberList</c>; <c>etcdctl member list</c>.</remarks>
    Task<EtcdMemberList> ListMembersAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds a member with the given peer URLs, as a learner (non-voting, promote it once it has caught up) or as a voter.</summary>
    /// <remarks>RPC <c>Cluster.MemberAdd</c>; <c>etcdctl member add NAME --peer-urls=URLS [--learner]</c>. Never retried.</remarks>
    Task<MemberAddResult> AddMemberAsync(IReadOnlyList<string> peerUrls, bool asLearner, CancellationToken cancellationToken = default);

    /// <summary>Removes a member. etcd refuses (<see cref="EtcdUnhealthyClusterException"/>) when the rest would lose quorum.</summary>
    /// <remarks>RPC <c>Cluster.MemberRemove</c>; <c>etcdctl member remove HEXID</c>. Never retried.</remarks>
    Task<EtcdMemberList> RemoveMemberAsync(MemberId memberId, CancellationToken cancellationToken = default);

    /// <summary>Changes a member's peer URLs.</summary>
    /// <remarks>RPC <c>Cluster.MemberUpdate</c>; <c>etcdctl member update HEXID --peer-urls=URLS</c>. Never retried.</remarks>
    Task<EtcdMemberList> UpdateMemberAsync(MemberId memberId, IReadOnlyList<string> peerUrls, CancellationToken cancellationToken = default);

    /// <summary>Promotes a learner to a voting member; etcd refuses until the learner has caught up with the leader.</summary>
    /// <remarks>
    /// RPC <c>Cluster.MemberPromote</c>; <c>etcdctl member promote HEXID</c>. Sent to the leader, found first (a follower
    /// forwards it without the caller's credentials, which fails with auth on). Never retried.
    /// </remarks>
    Task<EtcdMemberList> PromoteMemberAsync(MemberId memberId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Checks that the cluster accepts writes: puts and deletes a key under the reserved prefix
    /// <c>/etcd-maintenance/probe/</c>. Throws <see cref="EtcdNoSpaceException"/> while NOSPACE is active.
    /// </summary>
    /// <remarks>RPC <c>KV.Put</c> then <c>KV.DeleteRange</c>; what <c>etcdctl put</c> of a test key checks by hand.</remarks>
    Task<ResponseHeader> ProbeWriteAsync(CancellationToken cancellationToken = default);
}
