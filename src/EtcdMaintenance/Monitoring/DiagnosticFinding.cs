using System.Globalization;

namespace EtcdMaintenance.Monitoring;

/// <summary>How urgent a finding is.</summary>
public enum FindingSeverity
{
    /// <summary>Worth knowing; nothing to do yet.</summary>
    Info = 0,

    /// <summary>Act soon: left alone, this becomes an outage or data risk.</summary>
    Warning = 1,

    /// <summary>Act now: writes fail or are about to, a member is gone, or data may be damaged.</summary>
    Error = 2,
}

/// <summary>What a finding is about; one value per check <see cref="ClusterDiagnostics"/> makes.</summary>
public enum FindingKind
{
    /// <summary>A NOSPACE alarm is active: etcd refuses every write (<see cref="AlarmFinding"/>).</summary>
    NoSpaceAlarm,

    /// <summary>A CORRUPT alarm is active: members' data diverged (<see cref="AlarmFinding"/>).</summary>
    CorruptAlarm,

    /// <summary>A member's database is close to its space quota (<see cref="QuotaUsageFinding"/>).</summary>
    QuotaUsage,

    /// <summary>At the current growth rate a member reaches its quota soon (<see cref="QuotaForecastFinding"/>).</summary>
    QuotaForecast,

    /// <summary>A member's database file is mostly free pages: a defragment would give them back (<see cref="FragmentationFinding"/>).</summary>
    Fragmentation,

    /// <summary>A member's database size differs from the other members' beyond what fragmentation explains (<see cref="DbSizeDivergenceFinding"/>).</summary>
    DbSizeDivergence,

    /// <summary>A member's raft log is behind the leader's (<see cref="RaftLagFinding"/>).</summary>
    RaftIndexLag,

    /// <summary>A member has committed entries it has not applied yet (<see cref="RaftLagFinding"/>).</summary>
    ApplyLag,

    /// <summary>Members know no leader (<see cref="LeaderFinding"/>).</summary>
    NoLeader,

    /// <summary>Members name different leaders (<see cref="LeaderFinding"/>).</summary>
    LeaderDisagreement,

    /// <summary>Leadership changed often within the window (<see cref="LeaderChangesFinding"/>).</summary>
    FrequentLeaderChanges,

    /// <summary>A member did not answer its status call (<see cref="MemberUnreachableFinding"/>).</summary>
    MemberUnreachable,

    /// <summary>A learner has stayed a learner (<see cref="LearnerNotPromotedFinding"/>).</summary>
    LearnerNotPromoted,
}

/// <summary>The maintenance operation a finding recommends.</summary>
public enum MaintenanceOperation
{
    /// <summary>Look into the member or the cluster (disk, network, logs); the description says where.</summary>
    Investigate,

    /// <summary>Compact to the current revision, defragment every member (followers first, leader last), and disarm NOSPACE if raised.</summary>
    RecoverSpace,

    /// <summary>Defragment one member.</summary>
    Defragment,

    /// <summary>Compare the members' HashKV at one revision to find a member whose data differs.</summary>
    CheckConsistency,

    /// <summary>Bring a member back: restart it, or replace it if it cannot rejoin.</summary>
    RestoreMember,

    /// <summary>Promote a learner to a voting member.</summary>
    PromoteLearner,
}

/// <summary>What to do about a finding.</summary>
public sealed record RecommendedAction
{
    /// <summary>The operation, for callers that automate it.</summary>
    public required MaintenanceOperation Operation { get; init; }

    /// <summary>What to do and why, in a sentence or two.</summary>
    public required string Description { get; init; }

    /// <summary>The etcdctl command(s) an operator would run, when there are such commands.</summary>
    public string? Command { get; init; }
}

/// <summary>
/// One thing <see cref="ClusterDiagnostics"/> found wrong, with its severity, the member it is about, the evidence and
/// what to do. Each kind is its own record type carrying its figures (pattern-match on the type, or switch on
/// <see cref="Kind"/>); <see cref="Summary"/>, <see cref="Evidence"/> and <see cref="Recommendation"/> are derived from them.
/// </summary>
public abstract record DiagnosticFinding
{
    /// <summary>What the finding is about (each finding type has its kind, or its two kinds).</summary>
    public abstract FindingKind Kind { get; }

    /// <summary>How urgent it is.</summary>
    public required FindingSeverity Severity { get; init; }

    /// <summary>The member's endpoint, as configured; <see langword="null"/> for findings about the whole cluster.</summary>
    public string? Endpoint { get; init; }

    /// <summary>The member's ID; <see cref="MemberId.None"/> for findings about the whole cluster or when the ID is unknown.</summary>
    public MemberId MemberId { get; init; }

    /// <summary>One line: what is wrong.</summary>
    public abstract string Summary { get; }

    /// <summary>The figures behind it, as text.</summary>
    public abstract string Evidence { get; }

    /// <summary>What to do about it.</summary>
    public abstract RecommendedAction Recommendation { get; }

    /// <summary>The member, as findings name it: its endpoint and hex ID, or "the cluster".</summary>
    protected string Subject => Endpoint is null ? "the cluster" : MemberId.IsNone ? Endpoint : $"{Endpoint} ({MemberId})";

    /// <summary><c>etcdctl --endpoints=ENDPOINT</c>, for commands about this member.</summary>
    protected string Etcdctl => Endpoint is null ? "etcdctl" : $"etcdctl --endpoints={Endpoint}";

    /// <summary>Severity, kind, subject and summary on one line.</summary>
    public sealed override string ToString() => $"{Severity} {Kind} {Subject}: {Summary}";
}

/// <summary>An active NOSPACE or CORRUPT alarm (etcdctl alarm list).</summary>
public sealed record AlarmFinding : DiagnosticFinding
{
    /// <inheritdoc />
    public override FindingKind Kind => Alarm.Type == EtcdAlarmType.Corrupt ? FindingKind.CorruptAlarm : FindingKind.NoSpaceAlarm;

    /// <summary>The alarm.</summary>
    public required EtcdAlarm Alarm { get; init; }

    /// <inheritdoc />
    public override string Summary => Alarm.Type == EtcdAlarmType.Corrupt
        ? $"CORRUPT alarm raised for member {Alarm.MemberId}: the members' data diverged"
        : $"NOSPACE alarm raised for member {Alarm.MemberId}: etcd refuses every write until it is disarmed";

    /// <inheritdoc />
    public override string Evidence => $"etcdctl alarm list: {Alarm}";

    /// <inheritdoc />
    public override RecommendedAction Recommendation => Alarm.Type == EtcdAlarmType.Corrupt
        ? new RecommendedAction
        {
            Operation = MaintenanceOperation.CheckConsistency,
            Description = "Do not disarm it: compare every member's HashKV at one revision, then replace the member whose hash differs from the majority.",
            Command = "etcdctl endpoint hashkv --cluster",
        }
        : new RecommendedAction
        {
            Operation = MaintenanceOperation.RecoverSpace,
            Description = "Compact to the current revision, defragment each member (followers first, leader last), then disarm NOSPACE; raise the quota if the data itself needs the space.",
            Command = "etcdctl compact REV && etcdctl defrag --endpoints=EACH_MEMBER && etcdctl alarm disarm",
        };
}

/// <summary>A member's database is at or above a share of its space quota.</summary>
public sealed record QuotaUsageFinding : DiagnosticFinding
{
    /// <inheritdoc />
    public override FindingKind Kind => FindingKind.QuotaUsage;

    /// <summary>The database size in bytes (what the quota is checked against).</summary>
    public required long DbSize { get; init; }

    /// <summary>The quota in bytes.</summary>
    public required long Quota { get; init; }

    /// <summary>The usage ratio that was crossed.</summary>
    public required double Threshold { get; init; }

    /// <summary><see cref="DbSize"/> over <see cref="Quota"/>.</summary>
    public double Usage => Quota > 0 ? (double)DbSize / Quota : 0;

    /// <inheritdoc />
    public override string Summary => $"{Subject}'s database is at {Units.Percent(Usage)} of its quota";

    /// <inheritdoc />
    public override string Evidence => $"dbSize {Units.Bytes(DbSize)} of quota {Units.Bytes(Quota)}; threshold {Units.Percent(Threshold)}";

    /// <inheritdoc />
    public override RecommendedAction Recommendation => new RecommendedAction
    {
        Operation = MaintenanceOperation.RecoverSpace,
        Description = "Compact and defragment before the quota is reached (NOSPACE would stop every write); raise --quota-backend-bytes if the live data needs the space.",
        Command = $"etcdctl compact REV && {Etcdctl} defrag",
    };
}

/// <summary>At the database's growth rate over the window, a member reaches its quota within the horizon.</summary>
public sealed record QuotaForecastFinding : DiagnosticFinding
{
    /// <inheritdoc />
    public override FindingKind Kind => FindingKind.QuotaForecast;

    /// <summary>The current database size in bytes.</summary>
    public required long DbSize { get; init; }

    /// <summary>The quota in bytes.</summary>
    public required long Quota { get; init; }

    /// <summary>The growth rate: the slope of a least-squares line through the samples, in bytes per hour.</summary>
    public required double GrowthBytesPerHour { get; init; }

    /// <summary>How long until the quota is reached at that rate, from the current size.</summary>
    public required TimeSpan TimeToQuota { get; init; }

    /// <summary>How many samples the line was fitted to.</summary>
    public required int Samples { get; init; }

    /// <summary>The time the samples cover (since the last defragment, at most the forecast window).</summary>
    public required TimeSpan Span { get; init; }

    /// <inheritdoc />
    public override string Summary => $"at this rate {Subject} reaches its quota in ~{Units.Duration(TimeToQuota)}";

    /// <inheritdoc />
    public override string Evidence =>
        $"dbSize {Units.Bytes(DbSize)} of quota {Units.Bytes(Quota)}, growing {Units.Bytes((long)GrowthBytesPerHour)}/h (linear fit of {Samples} samples over {Units.Duration(Span)})";

    /// <inheritdoc />
    public override RecommendedAction Recommendation => new RecommendedAction
    {
        Operation = MaintenanceOperation.RecoverSpace,
        Description = "Find what writes so much (or why history is not compacted: check --auto-compaction-*), then compact and defragment; raise the quota if the growth is expected.",
        Command = $"etcdctl compact REV && {Etcdctl} defrag",
    };
}

/// <summary>A member's database file is largely free pages, and large enough for a defragment to be worth it.</summary>
public sealed record FragmentationFinding : DiagnosticFinding
{
    /// <inheritdoc />
    public override FindingKind Kind => FindingKind.Fragmentation;

    /// <summary>The database file size in bytes.</summary>
    public required long DbSize { get; init; }

    /// <summary>The bytes in use.</summary>
    public required long DbSizeInUse { get; init; }

    /// <summary>Bytes a defragment would give back.</summary>
    public long FragmentedBytes => Math.Max(0, DbSize - DbSizeInUse);

    /// <summary>The share of the file not in use.</summary>
    public double Ratio => DbSize > 0 ? (double)FragmentedBytes / DbSize : 0;

    /// <inheritdoc />
    public override string Summary => $"{Subject}'s database is {Units.Percent(Ratio)} free pages: a defragment would give back {Units.Bytes(FragmentedBytes)}";

    /// <inheritdoc />
    public override string Evidence => $"dbSize {Units.Bytes(DbSize)}, in use {Units.Bytes(DbSizeInUse)}";

    /// <inheritdoc />
    public override RecommendedAction Recommendation => new RecommendedAction
    {
        Operation = MaintenanceOperation.Defragment,
        Description = "Defragment this member (it blocks the member while it runs: one member at a time, followers first, leader last).",
        Command = $"{Etcdctl} defrag",
    };
}

/// <summary>
/// A member's database size diverges from the other members' (the reference is the member with the median size).
/// Members hold the same data, so their in-use sizes should match; their file sizes differ only by what defragments
/// have given back. A member whose file grew far beyond the others' reaches the quota first and raises NOSPACE for the
/// whole cluster.
/// </summary>
public sealed record DbSizeDivergenceFinding : DiagnosticFinding
{
    /// <inheritdoc />
    public override FindingKind Kind => FindingKind.DbSizeDivergence;

    /// <summary>This member's database file size.</summary>
    public required long DbSize { get; init; }

    /// <summary>This member's bytes in use, when known.</summary>
    public required long? DbSizeInUse { get; init; }

    /// <summary>The member compared against (the median size).</summary>
    public required string ReferenceEndpoint { get; init; }

    /// <summary>The reference member's ID.</summary>
    public required MemberId ReferenceMemberId { get; init; }

    /// <summary>The reference member's database file size.</summary>
    public required long ReferenceDbSize { get; init; }

    /// <summary>The reference member's bytes in use, when known.</summary>
    public required long? ReferenceDbSizeInUse { get; init; }

    /// <summary>
    /// Whether the bytes in use diverge too (the members' data may differ), rather than only the file sizes (one member
    /// holds free pages the others gave back).
    /// </summary>
    public required bool InUseDiverges { get; init; }

    /// <inheritdoc />
    public override string Summary => InUseDiverges
        ? $"{Subject} holds {Units.Bytes(DbSizeInUse ?? 0)} of data where {ReferenceEndpoint} holds {Units.Bytes(ReferenceDbSizeInUse ?? 0)}"
        : $"{Subject}'s database file is {Units.Bytes(DbSize)}, {Units.Ratio((double)DbSize / Math.Max(1, ReferenceDbSize))} the size of {ReferenceEndpoint}'s";

    /// <inheritdoc />
    public override string Evidence =>
        $"dbSize {Units.Bytes(DbSize)} (in use {Units.Bytes(DbSizeInUse)}) vs {ReferenceEndpoint} ({ReferenceMemberId}) {Units.Bytes(ReferenceDbSize)} (in use {Units.Bytes(ReferenceDbSizeInUse)})";

    /// <inheritdoc />
    public override RecommendedAction Recommendation => InUseDiverges
        ? new RecommendedAction
        {
            Operation = MaintenanceOperation.CheckConsistency,
            Description = "Compare the members' HashKV at one revision; a member whose hash differs must be replaced from a healthy member's data.",
            Command = "etcdctl endpoint hashkv --cluster",
        }
        : new RecommendedAction
        {
            Operation = MaintenanceOperation.Defragment,
            Description = "Defragment this member: its file holds free pages the others gave back, and it will reach the quota first.",
            Command = $"{Etcdctl} defrag",
        };
}

/// <summary>A member's raft log lags the leader's (<see cref="FindingKind.RaftIndexLag"/>) or it has committed entries it has not applied (<see cref="FindingKind.ApplyLag"/>).</summary>
public sealed record RaftLagFinding : DiagnosticFinding
{
    /// <summary>Creates the finding; set its figures in the initializer.</summary>
    /// <param name="kind"><see cref="FindingKind.RaftIndexLag"/> or <see cref="FindingKind.ApplyLag"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is another kind.</exception>
    public RaftLagFinding(FindingKind kind) =>
        Kind = kind is FindingKind.RaftIndexLag or FindingKind.ApplyLag ? kind : throw new ArgumentOutOfRangeException(nameof(kind), kind, "RaftIndexLag or ApplyLag");

    /// <inheritdoc />
    public override FindingKind Kind { get; }

    /// <summary>The member's raft index.</summary>
    public required ulong RaftIndex { get; init; }

    /// <summary>The member's applied index.</summary>
    public required ulong AppliedIndex { get; init; }

    /// <summary>The index it is behind: the leader's raft index for <see cref="FindingKind.RaftIndexLag"/>, its own raft index for <see cref="FindingKind.ApplyLag"/>.</summary>
    public required ulong ReferenceIndex { get; init; }

    /// <summary>The threshold that was crossed, in entries.</summary>
    public required ulong Threshold { get; init; }

    /// <summary>How many entries behind.</summary>
    public ulong Lag => Kind == FindingKind.ApplyLag
        ? (RaftIndex > AppliedIndex ? RaftIndex - AppliedIndex : 0)
        : (ReferenceIndex > RaftIndex ? ReferenceIndex - RaftIndex : 0);

    /// <inheritdoc />
    public override string Summary => Kind == FindingKind.ApplyLag
        ? $"{Subject} has {Units.Count(Lag)} committed entries it has not applied"
        : $"{Subject}'s raft log is {Units.Count(Lag)} entries behind the leader's";

    /// <inheritdoc />
    public override string Evidence => Kind == FindingKind.ApplyLag
        ? $"raftIndex {RaftIndex}, raftAppliedIndex {AppliedIndex}; threshold {Threshold}"
        : $"raftIndex {RaftIndex}, leader's raftIndex {ReferenceIndex}; threshold {Threshold}";

    /// <inheritdoc />
    public override RecommendedAction Recommendation => Kind == FindingKind.ApplyLag
        ? new RecommendedAction
        {
            Operation = MaintenanceOperation.Investigate,
            Description = "The member applies more slowly than the cluster commits: check its disk (backend commit latency), and whether a defragment or a large compaction is running on it. etcd refuses new requests at a gap of 5000.",
        }
        : new RecommendedAction
        {
            Operation = MaintenanceOperation.Investigate,
            Description = "Check the member's disk (WAL fsync latency) and its network to the leader. A member catching up after a restart closes the gap by itself; one that stays behind should be replaced.",
        };
}

/// <summary>Members know no leader (<see cref="FindingKind.NoLeader"/>) or name different leaders (<see cref="FindingKind.LeaderDisagreement"/>).</summary>
public sealed record LeaderFinding : DiagnosticFinding
{
    /// <summary>Creates the finding; set its figures in the initializer.</summary>
    /// <param name="kind"><see cref="FindingKind.NoLeader"/> or <see cref="FindingKind.LeaderDisagreement"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is another kind.</exception>
    public LeaderFinding(FindingKind kind) =>
        Kind = kind is FindingKind.NoLeader or FindingKind.LeaderDisagreement ? kind : throw new ArgumentOutOfRangeException(nameof(kind), kind, "NoLeader or LeaderDisagreement");

    /// <inheritdoc />
    public override FindingKind Kind { get; }

    /// <summary>The leader each member that answered reports.</summary>
    public required IReadOnlyDictionary<string, MemberId> LeaderByEndpoint { get; init; }

    /// <inheritdoc />
    public override string Summary => Kind == FindingKind.LeaderDisagreement
        ? $"members name {LeaderByEndpoint.Values.Where(l => !l.IsNone).Distinct().Count()} different leaders"
        : Endpoint is null ? "no member knows a leader: the cluster cannot serve writes or linearizable reads" : $"{Subject} knows no leader";

    /// <inheritdoc />
    public override string Evidence => string.Join(", ", LeaderByEndpoint.Select(e => $"{e.Key}: {(e.Value.IsNone ? "none" : e.Value.ToString())}"));

    /// <inheritdoc />
    public override RecommendedAction Recommendation => Kind == FindingKind.LeaderDisagreement
        ? new RecommendedAction
        {
            Operation = MaintenanceOperation.Investigate,
            Description = "Usually an election in progress; if it persists, a member is partitioned from the others: check peer connectivity (the 2380 peer URLs).",
        }
        : new RecommendedAction
        {
            Operation = MaintenanceOperation.Investigate,
            Description = "Check quorum: how many voting members are up and reach each other on their peer URLs; restore members until a majority is up.",
            Command = "etcdctl endpoint status --cluster -w table",
        };
}

/// <summary>Leadership changed often within the window.</summary>
public sealed record LeaderChangesFinding : DiagnosticFinding
{
    /// <inheritdoc />
    public override FindingKind Kind => FindingKind.FrequentLeaderChanges;

    /// <summary>The leader changes (elections) seen within <see cref="Window"/>.</summary>
    public required long Changes { get; init; }

    /// <summary>The time the changes were counted over (at most the configured window).</summary>
    public required TimeSpan Window { get; init; }

    /// <summary>The number of changes that triggers the finding.</summary>
    public required int Threshold { get; init; }

    /// <inheritdoc />
    public override string Summary => $"leadership changed {Changes} times in {Units.Duration(Window)}";

    /// <inheritdoc />
    public override string Evidence => $"{Changes} elections seen (leader ID or raft term changed) in {Units.Duration(Window)}; threshold {Threshold}";

    /// <inheritdoc />
    public override RecommendedAction Recommendation => new RecommendedAction
    {
        Operation = MaintenanceOperation.Investigate,
        Description = "Elections this frequent mean heartbeats are missed: check disk fsync latency and network latency between members; raise --heartbeat-interval and --election-timeout for slow links.",
    };
}

/// <summary>A member did not answer its status call.</summary>
public sealed record MemberUnreachableFinding : DiagnosticFinding
{
    /// <inheritdoc />
    public override FindingKind Kind => FindingKind.MemberUnreachable;

    /// <summary>Why the call failed, as a code.</summary>
    public required EtcdErrorCode ErrorCode { get; init; }

    /// <summary>The error message.</summary>
    public required string Error { get; init; }

    /// <summary>The first round in a row (within the retained history) in which it did not answer.</summary>
    public required DateTimeOffset DownSince { get; init; }

    /// <inheritdoc />
    public override string Summary => $"{Subject} does not answer ({ErrorCode})";

    /// <inheritdoc />
    public override string Evidence => $"down since {DownSince.ToString("u", CultureInfo.InvariantCulture)}: {Error}";

    /// <inheritdoc />
    public override RecommendedAction Recommendation => new RecommendedAction
    {
        Operation = MaintenanceOperation.RestoreMember,
        Description = "Restart the member (check its logs and disk first); if its data is lost or it cannot rejoin, remove it and add a replacement. Until then the cluster tolerates one failure fewer.",
        Command = $"{Etcdctl} endpoint health",
    };
}

/// <summary>A learner has not been promoted.</summary>
public sealed record LearnerNotPromotedFinding : DiagnosticFinding
{
    /// <inheritdoc />
    public override FindingKind Kind => FindingKind.LearnerNotPromoted;

    /// <summary>How long it has been seen as a learner (within the retained history).</summary>
    public required TimeSpan LearnerFor { get; init; }

    /// <summary>The learner's raft index.</summary>
    public required ulong RaftIndex { get; init; }

    /// <summary>The leader's raft index.</summary>
    public required ulong LeaderRaftIndex { get; init; }

    /// <summary>Whether it has caught up enough for etcd to accept its promotion.</summary>
    public required bool ReadyToPromote { get; init; }

    /// <inheritdoc />
    public override string Summary => ReadyToPromote
        ? $"learner {Subject} has caught up but is still not promoted after {Units.Duration(LearnerFor)}"
        : $"learner {Subject} has not caught up after {Units.Duration(LearnerFor)}";

    /// <inheritdoc />
    public override string Evidence => $"raftIndex {RaftIndex} of the leader's {LeaderRaftIndex}; learner for {Units.Duration(LearnerFor)}";

    /// <inheritdoc />
    public override RecommendedAction Recommendation => ReadyToPromote
        ? new RecommendedAction
        {
            Operation = MaintenanceOperation.PromoteLearner,
            Description = "Promote it: a learner does not vote, so the cluster has one voter fewer than intended.",
            Command = MemberId.IsNone ? "etcdctl member promote HEXID" : $"etcdctl member promote {MemberId}",
        }
        : new RecommendedAction
        {
            Operation = MaintenanceOperation.Investigate,
            Description = "Check why it is not catching up (its disk, its network to the leader, a snapshot transfer in progress); remove it if it never will.",
        };
}
