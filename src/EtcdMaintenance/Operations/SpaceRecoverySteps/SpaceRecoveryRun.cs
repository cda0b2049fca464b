using Microsoft.Extensions.Logging;

namespace EtcdMaintenance.Operations;

/// <summary>The state a space recovery's steps share: the cluster, the plan, and what the run did so far.</summary>
internal sealed class SpaceRecoveryRun(
    IEtcdMaintenanceClient client, SpaceRecoveryOptions options, ClusterView view, SpaceRecoveryPlan plan, ProgressFeed<SpaceRecoveryProgress> feed, ILogger logger, TimeProvider timeProvider)
{
    public const string OperationName = "SpaceRecovery";

    private readonly long _started = timeProvider.GetTimestamp();

    public IEtcdMaintenanceClient Client => client;

    public SpaceRecoveryOptions Options => options;

    public ClusterView View => view;

    public SpaceRecoveryPlan Plan => plan;

    public TimeProvider TimeProvider => timeProvider;

    public TimeSpan Elapsed => timeProvider.GetElapsedTime(_started);

    /// <summary>The endpoints of every member, comma-separated (for the etcdctl equivalents).</summary>
    public string AllEndpoints => string.Join(',', view.Members.Where(m => m.Endpoint is not null).Select(m => m.Endpoint!.Text));

    public long? CompactedRevision { get; set; }

    public Dictionary<MemberId, MemberSpaceReport> Members { get; } = [];

    /// <summary>The member a step is working on, for the failure report.</summary>
    public MemberPlan? CurrentMember { get; set; }

    public MemberId? LeaderMovedTo { get; set; }

    public IReadOnlyList<EtcdAlarm> AlarmsDisarmed { get; set; } = [];

    public string? AlarmNote { get; set; }

    public IReadOnlyList<EtcdAlarm> AlarmsRemaining { get; set; } = [];

    public bool? ProbeWriteSucceeded { get; set; }

    public string? ProbeError { get; set; }

    public void Report(SpaceRecoveryStage stage, string? member, string message)
    {
        OperationsLog.SpaceRecoveryProgress(logger, stage, member ?? "-", message);
        feed.Publish(new SpaceRecoveryProgress { Stage = stage, Member = member, Message = message, Elapsed = Elapsed });
    }

    public EtcdEndpoint EndpointOf(MemberId id) => view.Find(id)?.Endpoint ?? throw new EtcdSafetyCheckException(
        $"{OperationName}: member {id} has no client URL to reach it by.", null, OperationName);

    public EndpointStatus WithQuota(EndpointStatus status) => SpaceRecovery.WithQuota(status, options.QuotaBackendBytes);

    /// <summary>The member's status once it has applied everything the leader has (after the compaction).</summary>
    public async Task<EndpointStatus> StatusWhenCaughtUpAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken)
    {
        var target = await MemberReadiness.LeaderIndexAsync(client, endpoint, cancellationToken).ConfigureAwait(false);
        return WithQuota(await MemberReadiness.WaitUntilBackAsync(client, endpoint, target, OperationName, options.MemberRecoveryTimeout, options.PollInterval, timeProvider, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The outcome of a member left as it was: skipped by the plan or its step, or failed.</summary>
    public static MemberSpaceReport NotDefragmented(MemberPlan member, string note, long? dbSize) => new()
    {
        Name = member.Name,
        Id = member.Id,
        Defragmented = false,
        Note = note,
        DbSizeBefore = dbSize,
        Elapsed = TimeSpan.Zero,
    };

    /// <summary>The report: per-member outcomes in the plan's order (members the plan skips with its reason).</summary>
    public SpaceRecoveryReport BuildReport(bool succeeded, string? failureReason, EtcdException? error = null) => new()
    {
        Succeeded = succeeded,
        FailureReason = failureReason,
        Error = error,
        CompactedRevision = CompactedRevision,
        Members = [.. plan.Members
            .Select(m => Members.TryGetValue(m.Id, out var done) ? done
                : m.Action != MemberPlanAction.Defragment ? NotDefragmented(m, m.Reason, m.DbSize)
                : null)
            .OfType<MemberSpaceReport>()],
        LeaderMovedTo = LeaderMovedTo,
        AlarmsDisarmed = AlarmsDisarmed,
        AlarmsRemaining = AlarmsRemaining,
        AlarmNote = AlarmNote,
        ProbeWriteSucceeded = ProbeWriteSucceeded,
        Elapsed = Elapsed,
    };
}
