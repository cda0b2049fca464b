namespace EtcdMaintenance.Operations;

/// <summary>Settings of a space recovery. Defaults follow what operators do by hand, made safe.</summary>
public sealed class SpaceRecoveryOptions
{
    /// <summary>Where to compact.</summary>
    /// <value><see cref="CompactionTarget.Current"/>, as the field does.</value>
    public CompactionTarget Compaction { get; set; } = CompactionTarget.Current;

    /// <summary>Which members are worth defragmenting.</summary>
    /// <value><see cref="DefragCondition.Always"/>: every voting member, as the runbook does. Use <see cref="DefragCondition.OpenShift"/> or a parsed rule to defragment only when worth it.</value>
    public DefragCondition DefragmentWhen { get; set; } = DefragCondition.Always;

    /// <summary>Whether to hand leadership to a defragmented follower before defragmenting the leader.</summary>
    /// <value><see langword="null"/>: yes for clusters of 3 or more voting members, no otherwise.</value>
    public bool? MoveLeaderAway { get; set; }

    /// <summary>Whether to go on without members that do not answer (otherwise the recovery refuses to start).</summary>
    /// <value><see langword="false"/>.</value>
    public bool SkipUnreachableMembers { get; set; }

    /// <summary>Whether to disarm NOSPACE alarms at the end (when every member is under <see cref="DisarmBelowQuotaRatio"/>).</summary>
    /// <value><see langword="true"/>.</value>
    public bool DisarmNoSpace { get; set; } = true;

    /// <summary>NOSPACE is disarmed only when every member's DB size is at most this share of the quota.</summary>
    /// <value>0.9 (90%), as etcd-defrag does.</value>
    public double DisarmBelowQuotaRatio { get; set; } = 0.9;

    /// <summary>
    /// The members' <c>--quota-backend-bytes</c>, used only for a member whose quota the client could not learn (from its
    /// status on etcd 3.6+, from its metrics before, or from <see cref="EtcdClientOptions.QuotaBackendBytes"/>).
    /// </summary>
    /// <value><see langword="null"/>: use what the client reports for each member.</value>
    public long? QuotaBackendBytes { get; set; }

    /// <summary>How long to wait for a defragmented member to be back (healthy, answering, caught up) before the next.</summary>
    /// <value>2 minutes.</value>
    public TimeSpan MemberRecoveryTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often to look while waiting.</summary>
    /// <value>200 ms.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Whether to finish with a probe write (a key under <see cref="EtcdMaintenanceClient.ReservedKeyPrefix"/>, deleted afterwards).</summary>
    /// <value><see langword="true"/>.</value>
    public bool VerifyWithProbeWrite { get; set; } = true;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Compaction, nameof(Compaction));
        ArgumentNullException.ThrowIfNull(DefragmentWhen, nameof(DefragmentWhen));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(DisarmBelowQuotaRatio, nameof(DisarmBelowQuotaRatio));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(DisarmBelowQuotaRatio, 1.0, nameof(DisarmBelowQuotaRatio));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MemberRecoveryTimeout, TimeSpan.Zero, nameof(MemberRecoveryTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollInterval, TimeSpan.Zero, nameof(PollInterval));
    }
}

/// <summary>What the plan does with one member.</summary>
public enum MemberPlanAction
{
    /// <summary>Defragment it.</summary>
    Defragment,
    /// <summary>Leave it: the policy says it is not worth it.</summary>
    SkipNotWorthIt,
    /// <summary>Leave it: a learner (etcd refuses Defragment on learners).</summary>
    SkipLearner,
    /// <summary>Leave it: it does not answer (only when the caller allowed skipping).</summary>
    SkipUnreachable,
}

/// <summary>One member in a space-recovery plan.</summary>
/// <param name="Name">Member name.</param>
/// <param name="Id">Member ID.</param>
/// <param name="Endpoint">The endpoint used for it.</param>
/// <param name="IsLeader">Whether it led when planned.</param>
/// <param name="Action">What the plan does with it.</param>
/// <param name="Reason">Why (the policy's values, "learner", the error...).</param>
/// <param name="DbSize">Its DB size when planned.</param>
public sealed record MemberPlan(string Name, MemberId Id, string? Endpoint, bool IsLeader, MemberPlanAction Action, string Reason, long? DbSize);

/// <summary>The dry run of a space recovery: what would be done, in which order, why, and how by hand.</summary>
/// <param name="CompactRevision">The revision to compact at; <see langword="null"/> when there is nothing to compact.</param>
/// <param name="Members">Every member, in defragmentation order (followers first, leader last), then those skipped.</param>
/// <param name="MoveLeaderTo">The follower leadership goes to before the leader is defragmented, if any.</param>
/// <param name="Alarms">The alarms active when planned.</param>
/// <param name="Steps">The steps, with their etcdctl equivalents.</param>
public sealed record SpaceRecoveryPlan(long? CompactRevision, IReadOnlyList<MemberPlan> Members, MemberId? MoveLeaderTo, IReadOnlyList<EtcdAlarm> Alarms, IReadOnlyList<OperationStep> Steps);

/// <summary>The stages a space recovery reports through <see cref="IProgress{T}"/>.</summary>
public enum SpaceRecoveryStage
{
    /// <summary>Checking members, health and alarms.</summary>
    Checking,
    /// <summary>Compacting (physical).</summary>
    Compacting,
    /// <summary>Compacted (or found already compacted).</summary>
    Compacted,
    /// <summary>Waiting for the previous member to be healthy and caught up.</summary>
    WaitingForMember,
    /// <summary>Handing leadership away from the leader.</summary>
    MovingLeader,
    /// <summary>Leadership moved.</summary>
    LeaderMoved,
    /// <summary>A member's defragment started.</summary>
    DefragmentStarted,
    /// <summary>A member's defragment finished.</summary>
    DefragmentCompleted,
    /// <summary>A member was left alone (policy, learner, unreachable).</summary>
    DefragmentSkipped,
    /// <summary>A member's defragment failed: the recovery stops.</summary>
    DefragmentFailed,
    /// <summary>A NOSPACE alarm was disarmed.</summary>
    AlarmDisarmed,
    /// <summary>Alarms were kept (a member still over the threshold, or not checked).</summary>
    AlarmKept,
    /// <summary>Verification (alarms, probe write).</summary>
    Verifying,
    /// <summary>Done.</summary>
    Completed,
}

/// <summary>A progress event of a space recovery.</summary>
/// <param name="Stage">What happened.</param>
/// <param name="Member">The member concerned, if any.</param>
/// <param name="Message">A one-line description for people.</param>
/// <param name="Elapsed">Time since the recovery started.</param>
public sealed record SpaceRecoveryProgress(SpaceRecoveryStage Stage, string? Member, string Message, TimeSpan Elapsed);

/// <summary>One member's outcome.</summary>
/// <param name="Name">Member name.</param>
/// <param name="Id">Member ID.</param>
/// <param name="Defragmented">Whether it was defragmented.</param>
/// <param name="Note">Why it was skipped, or how it failed.</param>
/// <param name="DbSizeBefore">DB size before.</param>
/// <param name="DbSizeAfter">DB size after (when defragmented).</param>
/// <param name="DbSizeInUseAfter">In-use bytes after.</param>
/// <param name="Elapsed">How long its defragment took.</param>
public sealed record MemberSpaceReport(string Name, MemberId Id, bool Defragmented, string? Note, long? DbSizeBefore, long? DbSizeAfter, long? DbSizeInUseAfter, TimeSpan Elapsed)
{
    /// <summary>Bytes given back to the file system.</summary>
    public long? Reclaimed => DbSizeBefore is { } before && DbSizeAfter is { } after ? before - after : null;
}

/// <summary>The outcome of a space recovery; <see cref="Succeeded"/> says whether it finished with writes working again.</summary>
public sealed record SpaceRecoveryReport
{
    /// <summary>Whether every step succeeded, no NOSPACE alarm is left and the probe write (if asked) worked.</summary>
    public required bool Succeeded { get; init; }

    /// <summary>Why it did not succeed, and how to go on.</summary>
    public string? FailureReason { get; init; }

    /// <summary>The error that stopped it, if one did.</summary>
    public EtcdException? Error { get; init; }

    /// <summary>The revision compacted at, if any.</summary>
    public long? CompactedRevision { get; init; }

    /// <summary>Per-member outcomes, in the order handled.</summary>
    public IReadOnlyList<MemberSpaceReport> Members { get; init; } = [];

    /// <summary>The member leadership was handed to, if it was.</summary>
    public MemberId? LeaderMovedTo { get; init; }

    /// <summary>NOSPACE alarms disarmed.</summary>
    public IReadOnlyList<EtcdAlarm> AlarmsDisarmed { get; init; } = [];

    /// <summary>Alarms still active at the end.</summary>
    public IReadOnlyList<EtcdAlarm> AlarmsRemaining { get; init; } = [];

    /// <summary>Why alarms were kept, when they were.</summary>
    public string? AlarmNote { get; init; }

    /// <summary>Whether the final probe write succeeded (<see langword="null"/> when not attempted).</summary>
    public bool? ProbeWriteSucceeded { get; init; }

    /// <summary>The whole run's duration.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Bytes given back across members.</summary>
    public long Reclaimed => Members.Sum(m => m.Reclaimed ?? 0);

    /// <summary>Throws <see cref="EtcdException"/> when the recovery did not succeed.</summary>
    public void EnsureSucceeded()
    {
        if (!Succeeded)
        {
            throw Error ?? new EtcdException($"Space recovery did not succeed: {FailureReason}", null, "SpaceRecovery", EtcdStatusCode.FailedPrecondition, EtcdErrorCode.Unknown, null);
        }
    }
}
