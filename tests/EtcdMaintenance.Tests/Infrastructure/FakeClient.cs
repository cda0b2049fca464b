namespace EtcdMaintenance.Tests.Infrastructure;

/// <summary>
/// The one base for test doubles of <see cref="IEtcdMaintenanceClient"/>: every call goes to <paramref name="inner"/> when
/// one is given and throws <see cref="NotSupportedException"/> naming the call otherwise. Override the calls a test fakes.
/// </summary>
public class FakeClient(IEtcdMaintenanceClient? inner = null) : IEtcdMaintenanceClient
{
    /// <summary>The client calls are forwarded to, if any.</summary>
    public IEtcdMaintenanceClient Inner => inner ?? throw NotFaked(nameof(Inner));

    public virtual IReadOnlyList<EtcdEndpoint> Endpoints => Inner.Endpoints;

    public virtual Task<EndpointStatus> GetStatusAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken = default) => Forward(c => c.GetStatusAsync(endpoint, cancellationToken));

    public virtual Task<ClusterStatus> GetClusterStatusAsync(CancellationToken cancellationToken = default) => Forward(c => c.GetClusterStatusAsync(cancellationToken));

    public virtual Task<EndpointHealth> CheckHealthAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken = default) => Forward(c => c.CheckHealthAsync(endpoint, cancellationToken));

    public virtual Task<IReadOnlyList<EndpointHealth>> CheckClusterHealthAsync(CancellationToken cancellationToken = default) => Forward(c => c.CheckClusterHealthAsync(cancellationToken));

    public virtual Task<IReadOnlyList<EtcdAlarm>> GetAlarmsAsync(CancellationToken cancellationToken = default) => Forward(c => c.GetAlarmsAsync(cancellationToken));

    public virtual Task<IReadOnlyList<EtcdAlarm>> DisarmAlarmAsync(MemberId memberId, EtcdAlarmType type, CancellationToken cancellationToken = default) => Forward(c => c.DisarmAlarmAsync(memberId, type, cancellationToken));

    public virtual Task<IReadOnlyList<EtcdAlarm>> DisarmAllAlarmsAsync(CancellationToken cancellationToken = default) => Forward(c => c.DisarmAllAlarmsAsync(cancellationToken));

    public virtual Task<CompactionResult> CompactAsync(long revision, bool physical = true, CancellationToken cancellationToken = default) => Forward(c => c.CompactAsync(revision, physical, cancellationToken));

    public virtual Task<DefragmentResult> DefragmentAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken = default) => Forward(c => c.DefragmentAsync(endpoint, cancellationToken));

    public virtual Task<HashKvResult> HashKvAsync(EtcdEndpoint endpoint, long revision = 0, CancellationToken cancellationToken = default) => Forward(c => c.HashKvAsync(endpoint, revision, cancellationToken));

    public virtual Task<SnapshotResult> SnapshotAsync(EtcdEndpoint endpoint, Stream destination, CancellationToken cancellationToken = default) => Forward(c => c.SnapshotAsync(endpoint, destination, cancellationToken));

    public virtual Task<ResponseHeader> MoveLeaderAsync(MemberId target, CancellationToken cancellationToken = default) => Forward(c => c.MoveLeaderAsync(target, cancellationToken));

    public virtual Task<EtcdMemberList> ListMembersAsync(CancellationToken cancellationToken = default) => Forward(c => c.ListMembersAsync(cancellationToken));

    public virtual Task<MemberAddResult> AddMemberAsync(IReadOnlyList<string> peerUrls, bool asLearner, CancellationToken cancellationToken = default) => Forward(c => c.AddMemberAsync(peerUrls, asLearner, cancellationToken));

    public virtual Task<EtcdMemberList> RemoveMemberAsync(MemberId memberId, CancellationToken cancellationToken = default) => Forward(c => c.RemoveMemberAsync(memberId, cancellationToken));

    public virtual Task<EtcdMemberList> UpdateMemberAsync(MemberId memberId, IReadOnlyList<string> peerUrls, CancellationToken cancellationToken = default) => Forward(c => c.UpdateMemberAsync(memberId, peerUrls, cancellationToken));

    public virtual Task<EtcdMemberList> PromoteMemberAsync(MemberId memberId, CancellationToken cancellationToken = default) => Forward(c => c.PromoteMemberAsync(memberId, cancellationToken));

    public virtual Task<ResponseHeader> ProbeWriteAsync(CancellationToken cancellationToken = default) => Forward(c => c.ProbeWriteAsync(cancellationToken));

    /// <summary>Disposes the inner client, if any (a test's fake owns what it wraps).</summary>
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return inner?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    private Task<T> Forward<T>(Func<IEtcdMaintenanceClient, Task<T>> call, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        inner is null ? throw NotFaked(name) : call(inner);

    private NotSupportedException NotFaked(string name) => new($"{GetType().Name} does not fake {name}.");
}
