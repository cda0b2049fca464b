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
public sealed record MemberPlan
{
    /// <summary>Member name.</summary>
    public required string Name { get; init; }

    /// <summary>Member ID.</summary>
    public required MemberId Id { get; init; }

    /// <summary>The endpoint used for it.</summary>
    public string? Endpoint { get; init; }

    /// <summary>Whether it led when planned.</summary>
    public required bool IsLeader { get; init; }

    /// <summary>What the plan does with it.</summary>
    public required MemberPlanAction Action { get; init; }

    /// <summary>Why (the policy's values, "learner", the error...).</summary>
    public required string Reason { get; init; }

    /// <summary>Its DB size when planned.</summary>
    public long? DbSize { get; init; }
}

/// <summary>The dry run of a space recovery: what would be done, in which order, why, and how by hand.</summary>
public sealed record SpaceRecoveryPlan
{
    /// <summary>The revision to compact at; <see langword="null"/> when there is nothing to compact.</summary>
    public long? CompactRevision { get; init; }

    /// <summary>Every member, in defragmentation order (followers first, leader last), then those skipped.</summary>
    public required IReadOnlyList<MemberPlan> Members { get; init; }

    /// <summary>The follower leadership goes to before the leader is defragmented, if any.</summary>
    public MemberId? MoveLeaderTo { get; init; }

    /// <summary>The alarms active when planned.</summary>
    public required IReadOnlyList<EtcdAlarm> Alarms { get; init; }

    /// <summary>The steps, with their etcdctl equivalents.</summary>
    public required IReadOnlyList<OperationStep> Steps { get; init; }
}

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
public sealed record SpaceRecoveryProgress
{
    /// <summary>What happened.</summary>
    public required SpaceRecoveryStage Stage { get; init; }

    /// <summary>The member concerned, if any.</summary>
    public string? Member { get; init; }

    /// <summary>A one-line description for people.</summary>
    public required string Message { get; init; }

    /// <summary>Time since the recovery started.</summary>
    public required TimeSpan Elapsed { get; init; }
}

/// <summary>One member's outcome.</summary>
public sealed record MemberSpaceReport
{
    /// <summary>Member name.</summary>
    public required string Name { get; init; }

    /// <summary>Member ID.</summary>
    public required MemberId Id { get; init; }

    /// <summary>Whether it was defragmented.</summary>
    public required bool Defragmented { get; init; }

    /// <summary>Why it was skipped, or how it failed.</summary>
    public string? Note { get; init; }

    /// <summary>DB size before.</summary>
    public long? DbSizeBefore { get; init; }

    /// <summary>DB size after (when defragmented).</summary>
    public long? DbSizeAfter { get; init; }

    /// <summary>In-use bytes after.</summary>
    public long? DbSizeInUseAfter { get; init; }

    /// <summary>How long its defragment took.</summary>
    public required TimeSpan Elapsed { get; init; }

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
