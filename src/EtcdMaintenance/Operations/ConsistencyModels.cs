namespace EtcdMaintenance.Operations;

/// <summary>Settings of a <see cref="ConsistencyChecker"/>.</summary>
public sealed class ConsistencyCheckOptions
{
    /// <summary>How many times to hash every member again when a compaction moves under the check (a member reports the revision compacted, or the members report different compacted revisions).</summary>
    /// <value>5.</value>
    public int HashAttempts { get; set; } = 5;

    /// <summary>A member whose applied raft index is further than this behind the leader's committed index is flagged.</summary>
    /// <value>1000 entries.</value>
    public ulong AppliedIndexLagThreshold { get; set; } = 1000;

    /// <summary>
    /// A member whose database (bytes in use when etcd reports them, else the file size) is this many times larger or smaller
    /// than the median of the voting members is flagged, when the difference is also at least <see cref="DbSizeDivergenceMinimumBytes"/>.
    /// </summary>
    /// <value>1.5.</value>
    public double DbSizeDivergenceRatio { get; set; } = 1.5;

    /// <summary>The smallest size difference from the median that counts as divergence (small databases vary a lot in relative terms).</summary>
    /// <value>16 MiB.</value>
    public long DbSizeDivergenceMinimumBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>How long to wait between hash attempts.</summary>
    /// <value>200 ms.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(HashAttempts, 1, nameof(HashAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(DbSizeDivergenceRatio, 1.0, nameof(DbSizeDivergenceRatio));
        ArgumentOutOfRangeException.ThrowIfNegative(DbSizeDivergenceMinimumBytes, nameof(DbSizeDivergenceMinimumBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryDelay, TimeSpan.Zero, nameof(RetryDelay));
    }
}

/// <summary>What a consistency check found wrong with one member.</summary>
public enum ConsistencyIssue
{
    /// <summary>The member was added (<c>member add</c>) but has never started: it has no name and no client URL in the member list.</summary>
    NotStarted,

    /// <summary>The member does not answer on its client URL (stopped, crashed, or unreachable).</summary>
    Unreachable,

    /// <summary>The member's client URL answers for another cluster ID or another member ID: it runs on data that is not this cluster's.</summary>
    ForeignData,

    /// <summary>The member answers status but not a linearizable read, or knows no leader.</summary>
    Unhealthy,

    /// <summary>The member's applied raft index is far behind the leader's.</summary>
    AppliedIndexLag,

    /// <summary>The member's database is much larger or smaller than the other members'.</summary>
    DbSizeDivergent,

    /// <summary>The member's HashKV at the common revision differs from the other members'.</summary>
    HashDiffers,

    /// <summary>The member could not be hashed at the common revision.</summary>
    HashUnavailable,

    /// <summary>etcd's own corruption check raised a CORRUPT alarm naming the member.</summary>
    CorruptAlarm,
}

/// <summary>One thing wrong with a member, with a sentence for people.</summary>
public sealed record ConsistencyFinding
{
    /// <summary>What is wrong.</summary>
    public required ConsistencyIssue Issue { get; init; }

    /// <summary>The details (values compared, the error etcd gave).</summary>
    public required string Message { get; init; }
}

/// <summary>One member as the consistency check saw it.</summary>
public sealed record MemberConsistency
{
    /// <summary>The member's name, or its hex ID when it has not started.</summary>
    public required string Name { get; init; }

    /// <summary>The member's ID.</summary>
    public required MemberId Id { get; init; }

    /// <summary>Whether it is a learner (learners are neither hashed nor health-checked: etcd serves them only Status).</summary>
    public bool IsLearner { get; init; }

    /// <summary>Whether it has started and published its name.</summary>
    public bool IsStarted { get; init; }

    /// <summary>The endpoint used for it, if it has one.</summary>
    public string? Endpoint { get; init; }

    /// <summary>Its status, when it answered for this cluster.</summary>
    public EndpointStatus? Status { get; init; }

    /// <summary>Whether it served a linearizable read; <see langword="null"/> when not checked (unreachable, foreign, learner).</summary>
    public bool? IsHealthy { get; init; }

    /// <summary>Its HashKV at <see cref="ConsistencyReport.HashRevision"/>, when it was hashed.</summary>
    public uint? Hash { get; init; }

    /// <summary>Its compacted revision when hashed.</summary>
    public long? CompactRevision { get; init; }

    /// <summary>What is wrong with it; empty when nothing is.</summary>
    public IReadOnlyList<ConsistencyFinding> Findings { get; init; } = [];

    /// <summary>
    /// Whether the check recommends replacing it: only for a voting member whose data differs from a majority's (its hash
    /// differs from the hash a majority of voting members share, or it serves another cluster's data).
    /// </summary>
    public bool ReplacementRecommended { get; init; }

    /// <summary>Whether anything is wrong with it.</summary>
    public bool IsSuspect => Findings.Count > 0;

    /// <summary>Whether it has a finding of this kind.</summary>
    public bool Has(ConsistencyIssue issue) => Findings.Any(f => f.Issue == issue);
}

/// <summary>The outcome of a consistency check across members.</summary>
public sealed record ConsistencyReport
{
    /// <summary>The cluster's ID (what a majority of the configured endpoints answered with).</summary>
    public required ulong ClusterId { get; init; }

    /// <summary>Every member, in member-list order.</summary>
    public required IReadOnlyList<MemberConsistency> Members { get; init; }

    /// <summary>The common revision the members were hashed at, when any was.</summary>
    public long? HashRevision { get; init; }

    /// <summary>The hash a majority of voting members share, if one does.</summary>
    public uint? MajorityHash { get; init; }

    /// <summary>How many times the members were hashed (more than once when a compaction moved under the check).</summary>
    public int HashAttempts { get; init; }

    /// <summary>The active alarms.</summary>
    public IReadOnlyList<EtcdAlarm> Alarms { get; init; } = [];

    /// <summary>Observations about the whole cluster (for example: no hash is shared by a majority).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The cluster ID in hex, as etcdctl prints it.</summary>
    public string ClusterIdHex => ClusterId.ToString("x", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether no member has any finding.</summary>
    public bool IsConsistent => Members.All(m => !m.IsSuspect);

    /// <summary>The members with findings.</summary>
    public IReadOnlyList<MemberConsistency> Suspects => [.. Members.Where(m => m.IsSuspect)];

    /// <summary>The members the check recommends replacing (see <see cref="MemberConsistency.ReplacementRecommended"/>).</summary>
    public IReadOnlyList<MemberConsistency> RecommendedReplacements => [.. Members.Where(m => m.ReplacementRecommended)];

    /// <summary>The member with this ID, or <see langword="null"/>.</summary>
    public MemberConsistency? Find(MemberId id) => Members.FirstOrDefault(m => m.Id == id);
}
