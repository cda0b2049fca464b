namespace EtcdMaintenance.Tests.Infrastructure;

/// <summary>Forwards every call to another client; override the calls a test wants to change.</summary>
public class DelegatingClient(IEtcdMaintenanceClient inner) : IEtcdMaintenanceClient
{
    public IEtcdMaintenanceClient Inner => inner;

    public virtual IReadOnlyList<EtcdEndpoint> Endpoints => inner.Endpoints;

    public virtual Task<EndpointStatus> GetStatusAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken = default) => inner.GetStatusAsync(endpoint, cancellationToken);

    public virtual Task<ClusterStatus> GetClusterStatusAsync(CancellationToken cancellationToken = default) => inner.GetClusterStatusAsync(cancellationToken);

    public virtual Task<EndpointHealth> CheckHealthAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken = default) => inner.CheckHealthAsync(endpoint, cancellationToken);

    public virtual Task<IReadOnlyList<EndpointHealth>> CheckClusterHealthAsync(CancellationToken cancellationToken = default) => inner.CheckClusterHealthAsync(cancellationToken);

    public virtual Task<IReadOnlyList<EtcdAlarm>> GetAlarmsAsync(CancellationToken cancellationToken = default) => inner.GetAlarmsAsync(cancellationToken);

    public virtual Task<IReadOnlyList<EtcdAlarm>> DisarmAlarmAsync(MemberId memberId, EtcdAlarmType type, CancellationToken cancellationToken = default) => inner.DisarmAlarmAsync(memberId, type, cancellationToken);

    public virtual Task<IReadOnlyList<EtcdAlarm>> DisarmAllAlarmsAsync(CancellationToken cancellationToken = default) => inner.DisarmAllAlarmsAsync(cancellationToken);

    public virtual Task<CompactionResult> CompactAsync(long revision, bool physical = true, CancellationToken cancellationToken = default) => inner.CompactAsync(revision, physical, cancellationToken);

    public virtual Task<DefragmentResult> DefragmentAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken = default) => inner.DefragmentAsync(endpoint, cancellationToken);

    public virtual Task<HashKvResult> HashKvAsync(EtcdEndpoint endpoint, long revision = 0, CancellationToken cancellationToken = default) => inner.HashKvAsync(endpoint, revision, cancellationToken);

    public virtual Task<SnapshotResult> SnapshotAsync(EtcdEndpoint endpoint, Stream destination, CancellationToken cancellationToken = default) => inner.SnapshotAsync(endpoint, destination, cancellationToken);

    public virtual Task<ResponseHeader> MoveLeaderAsync(MemberId target, CancellationToken cancellationToken = default) => inner.MoveLeaderAsync(target, cancellationToken);

    public virtual Task<EtcdMemberList> ListMembersAsync(CancellationToken cancellationToken = default) => inner.ListMembersAsync(cancellationToken);

    public virtual Task<MemberAddResult> AddMemberAsync(IReadOnlyList<string> peerUrls, bool asLearner, CancellationToken cancellationToken = default) => inner.AddMemberAsync(peerUrls, asLearner, cancellationToken);

    public virtual Task<EtcdMemberList> RemoveMemberAsync(MemberId memberId, CancellationToken cancellationToken = default) => inner.RemoveMemberAsync(memberId, cancellationToken);

    public virtual Task<EtcdMemberList> UpdateMemberAsync(MemberId memberId, IReadOnlyList<string> peerUrls, CancellationToken cancellationToken = default) => inner.UpdateMemberAsync(memberId, peerUrls, cancellationToken);

    public virtual Task<EtcdMemberList> PromoteMemberAsync(MemberId memberId, CancellationToken cancellationToken = default) => inner.PromoteMemberAsync(memberId, cancellationToken);

    public virtual Task<ResponseHeader> ProbeWriteAsync(CancellationToken cancellationToken = default) => inner.ProbeWriteAsync(cancellationToken);

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return inner.DisposeAsync();
    }
}
