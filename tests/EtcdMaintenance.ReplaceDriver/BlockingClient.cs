namespace EtcdMaintenance.ReplaceDriver;

/// <summary>Prints each progress event on its own line, synchronously.</summary>
internal sealed class LineProgress : IProgress<EtcdMaintenance.Operations.MemberReplacementProgress>
{
    public void Report(EtcdMaintenance.Operations.MemberReplacementProgress value) =>
        Console.WriteLine($"PROGRESS {value.Step} {value.Kind}: {value.Message}");
}

/// <summary>
/// Forwards every call to the real client; after the named member change has succeeded it prints BLOCKED and waits for a
/// line on stdin: the moment a crash leaves the cluster changed and the journal not yet written.
/// </summary>
internal sealed class BlockingClient(IEtcdMaintenanceClient inner, string? blockAfter) : IEtcdMaintenanceClient
{
    public IReadOnlyList<EtcdEndpoint> Endpoints => inner.Endpoints;

    public Task<EndpointStatus> GetStatusAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken = default) => inner.GetStatusAsync(endpoint, cancellationToken);

    public Task<ClusterStatus> GetClusterStatusAsync(CancellationToken cancellationToken = default) => inner.GetClusterStatusAsync(cancellationToken);

    public Task<EndpointHealth> CheckHealthAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken = default) => inner.CheckHealthAsync(endpoint, cancellationToken);

    public Task<IReadOnlyList<EndpointHealth>> CheckClusterHealthAsync(CancellationToken cancellationToken = default) => inner.CheckClusterHealthAsync(cancellationToken);

    public Task<IReadOnlyList<EtcdAlarm>> GetAlarmsAsync(CancellationToken cancellationToken = default) => inner.GetAlarmsAsync(cancellationToken);

    public Task<IReadOnlyList<EtcdAlarm>> DisarmAlarmAsync(MemberId memberId, EtcdAlarmType type, CancellationToken cancellationToken = default) => inner.DisarmAlarmAsync(memberId, type, cancellationToken);

    public Task<IReadOnlyList<EtcdAlarm>> DisarmAllAlarmsAsync(CancellationToken cancellationToken = default) => inner.DisarmAllAlarmsAsync(cancellationToken);

    public Task<CompactionResult> CompactAsync(long revision, bool physical = true, CancellationToken cancellationToken = default) => inner.CompactAsync(revision, physical, cancellationToken);

    public Task<DefragmentResult> DefragmentAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken = default) => inner.DefragmentAsync(endpoint, cancellationToken);

    public Task<HashKvResult> HashKvAsync(EtcdEndpoint endpoint, long revision = 0, CancellationToken cancellationToken = default) => inner.HashKvAsync(endpoint, revision, cancellationToken);

    public Task<SnapshotResult> SnapshotAsync(EtcdEndpoint endpoint, Stream destination, CancellationToken cancellationToken = default) => inner.SnapshotAsync(endpoint, destination, cancellationToken);

    public Task<ResponseHeader> MoveLeaderAsync(MemberId target, CancellationToken cancellationToken = default) => inner.MoveLeaderAsync(target, cancellationToken);

    public Task<EtcdMemberList> ListMembersAsync(CancellationToken cancellationToken = default) => inner.ListMembersAsync(cancellationToken);

    public async Task<MemberAddResult> AddMemberAsync(IReadOnlyList<string> peerUrls, bool asLearner, CancellationToken cancellationToken = default) =>
        Block("MemberAdd", await inner.AddMemberAsync(peerUrls, asLearner, cancellationToken));

    public async Task<EtcdMemberList> RemoveMemberAsync(MemberId memberId, CancellationToken cancellationToken = default) =>
        Block("MemberRemove", await inner.RemoveMemberAsync(memberId, cancellationToken));

    public Task<EtcdMemberList> UpdateMemberAsync(MemberId memberId, IReadOnlyList<string> peerUrls, CancellationToken cancellationToken = default) => inner.UpdateMemberAsync(memberId, peerUrls, cancellationToken);

    public async Task<EtcdMemberList> PromoteMemberAsync(MemberId memberId, CancellationToken cancellationToken = default) =>
        Block("MemberPromote", await inner.PromoteMemberAsync(memberId, cancellationToken));

    public Task<ResponseHeader> ProbeWriteAsync(CancellationToken cancellationToken = default) => inner.ProbeWriteAsync(cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private T Block<T>(string call, T result)
    {
        if (call == blockAfter)
        {
            Console.WriteLine($"BLOCKED {call}");
            Console.Out.Flush();
            // Wait on a condition, not a timer: the test kills this process; a line on stdin (or stdin closing) releases it.
            Console.In.ReadLine();
        }

        return result;
    }
}
