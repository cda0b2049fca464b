using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Operations;

/// <summary>Settings of a quota raise.</summary>
public sealed class QuotaRaiseOptions
{
    /// <summary>The new <c>--quota-backend-bytes</c>.</summary>
    public required QuotaBackendBytes NewQuota { get; set; }

    /// <summary>Allow a quota above 8 GiB, etcd's suggested maximum.</summary>
    /// <value><see langword="false"/>.</value>
    public bool Force { get; set; }

    /// <summary>How long a restarted member may take to be back: healthy, answering, caught up with the leader.</summary>
    /// <value>2 minutes.</value>
    public TimeSpan MemberRestartTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>For hosts whose manager restarts the member on a manifest change (kubelet): how long to wait to see it go down.</summary>
    /// <value>90 seconds (kubelet notices manifest changes within its file-check period, 20 s by default).</value>
    public TimeSpan RestartObservationTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>How often to look while waiting.</summary>
    /// <value>200 ms.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Whether to disarm NOSPACE at the end, once every member is under <see cref="DisarmBelowQuotaRatio"/> of its new
    /// quota (etcd keeps the alarm armed through restarts and quota changes: writes fail until it is disarmed).
    /// </summary>
    /// <value><see langword="true"/>.</value>
    public bool DisarmNoSpace { get; set; } = true;

    /// <summary>NOSPACE is disarmed only when every member's DB size is at most this share of its quota.</summary>
    /// <value>0.9 (90%), as space recovery and etcd-defrag do.</value>
    public double DisarmBelowQuotaRatio { get; set; } = 0.9;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(DisarmBelowQuotaRatio, nameof(DisarmBelowQuotaRatio));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(DisarmBelowQuotaRatio, 1.0, nameof(DisarmBelowQuotaRatio));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MemberRestartTimeout, TimeSpan.Zero, nameof(MemberRestartTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RestartObservationTimeout, TimeSpan.Zero, nameof(RestartObservationTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollInterval, TimeSpan.Zero, nameof(PollInterval));
    }
}

/// <summary>One member's part in a quota raise.</summary>
public sealed record QuotaRaiseMemberPlan
{
    /// <summary>The host's name.</summary>
    public required string Host { get; init; }

    /// <summary>The manifest patched.</summary>
    public required string ManifestPath { get; init; }

    /// <summary>The member (its <c>--name</c>).</summary>
    public required string Member { get; init; }

    /// <summary>Its ID.</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>Whether it led when planned (leaders restart last).</summary>
    public bool IsLeader { get; init; }

    /// <summary>The quota in the manifest now (<see langword="null"/>: not set, etcd's 2 GiB default).</summary>
    public QuotaBackendBytes? CurrentQuota { get; init; }

    /// <summary>Whether the manifest already has the new quota.</summary>
    public bool AlreadySet { get; init; }

    /// <summary>The unified diff of the manifest change (empty when already set).</summary>
    public string Diff { get; init; } = string.Empty;

    /// <summary>Warnings and advice from the manifest API (liveness probe budget, kubeadm's copy of the flags...).</summary>
    public IReadOnlyList<ManifestNotice> Notices { get; init; } = [];
}

/// <summary>
/// The dry run of a quota raise: one member at a time, followers first, with each manifest's diff. Give it to
/// <see cref="QuotaRaise.StartAsync"/> to run exactly these steps.
/// </summary>
public sealed record QuotaRaisePlan
{
    /// <summary>The quota to set.</summary>
    public required QuotaBackendBytes NewQuota { get; init; }

    /// <summary>The members in the order they are patched and restarted.</summary>
    public required IReadOnlyList<QuotaRaiseMemberPlan> Members { get; init; }

    /// <summary>The steps with their shell equivalents: what a run of this plan does, in order.</summary>
    public IReadOnlyList<OperationStep> Steps { get; init; } = [];
}

/// <summary>The stages of a quota raise.</summary>
public enum QuotaRaiseStage
{
    /// <summary>Checking members and manifests.</summary>
    Checking,
    /// <summary>A manifest was patched (or found patched).</summary>
    ManifestPatched,
    /// <summary>The member is being restarted.</summary>
    Restarting,
    /// <summary>The member is back, healthy and caught up.</summary>
    MemberBack,
    /// <summary>The member needed nothing.</summary>
    Skipped,
    /// <summary>Every member runs with the new quota.</summary>
    Completed,
    /// <summary>NOSPACE disarmed (every member under the threshold of its new quota) or kept, with the reason.</summary>
    NoSpaceAlarm,
}

/// <summary>A progress event of a quota raise.</summary>
public sealed record QuotaRaiseProgress
{
    /// <summary>What happened.</summary>
    public required QuotaRaiseStage Stage { get; init; }

    /// <summary>The member concerned, if one is.</summary>
    public string? Member { get; init; }

    /// <summary>A one-line description.</summary>
    public required string Message { get; init; }

    /// <summary>Time since the run (or the resumed run) started.</summary>
    public TimeSpan Elapsed { get; init; }
}

/// <summary>The outcome of a quota raise.</summary>
public sealed record QuotaRaiseReport
{
    /// <summary>The quota set.</summary>
    public required QuotaBackendBytes NewQuota { get; init; }

    /// <summary>Every member of the plan, in its order: restarted by this run, or found done (with their manifest backups when this run wrote one).</summary>
    public required IReadOnlyList<QuotaRaiseMemberReport> Members { get; init; }

    /// <summary>The run's duration (a resumed run's own).</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Whether writes work at the end: no NOSPACE alarm is left and the probe write succeeded.</summary>
    public bool Succeeded => AlarmsRemaining.All(a => a.Type != EtcdAlarmType.NoSpace) && ProbeWriteSucceeded;

    /// <summary>The NOSPACE alarms disarmed at the end (every member under the threshold of its new quota).</summary>
    public IReadOnlyList<EtcdAlarm> AlarmsDisarmed { get; init; } = [];

    /// <summary>The alarms still active at the end.</summary>
    public IReadOnlyList<EtcdAlarm> AlarmsRemaining { get; init; } = [];

    /// <summary>Why NOSPACE was kept, or why the probe write failed, when writes do not work.</summary>
    public string? FailureReason { get; init; }

    /// <summary>Whether the final probe write (a key under <see cref="EtcdMaintenanceClient.ReservedKeyPrefix"/>, deleted afterwards) succeeded.</summary>
    public bool ProbeWriteSucceeded { get; init; }
}

/// <summary>One member's outcome.</summary>
public sealed record QuotaRaiseMemberReport
{
    /// <summary>Member name.</summary>
    public required string Member { get; init; }

    /// <summary>
    /// Whether this run restarted it with the new quota; <see langword="false"/> when it was skipped (its manifest already
    /// had the quota and kubelet runs it), or found done (patched and reporting the new quota, as on a resume).
    /// </summary>
    public bool Restarted { get; init; }

    /// <summary>The manifest backup, when this run wrote one.</summary>
    public string? BackupPath { get; init; }

    /// <summary>The quota the member reports at the end of its step (from its status or its metrics), if known.</summary>
    public long? ReportedQuota { get; init; }
}
