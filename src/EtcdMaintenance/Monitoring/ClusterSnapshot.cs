namespace EtcdMaintenance.Monitoring;

/// <summary>
/// One member in one polling round: its <see cref="Status"/>, or the <see cref="Error"/> that says why it did not answer
/// (exactly one of the two is set). Build them in your own tests and run <see cref="ClusterDiagnostics"/> on them.
/// </summary>
public sealed record MemberSnapshot
{
    /// <summary>The endpoint asked.</summary>
    public required EtcdEndpoint Endpoint { get; init; }

    /// <summary>Its status, when it answered.</summary>
    public EndpointStatus? Status { get; init; }

    /// <summary>Why it did not answer, when it did not.</summary>
    public EtcdException? Error { get; init; }

    /// <summary>The status call's round trip (or the time until it failed).</summary>
    public required TimeSpan Latency { get; init; }

    /// <summary>
    /// The member's ID: from its status, or for a member that did not answer, the ID it reported in an earlier round
    /// (<see cref="MemberId.None"/> if it never answered); the status's ID wins when both are set.
    /// </summary>
    public MemberId MemberId
    {
        get => Status?.MemberId ?? field;
        init;
    }

    /// <summary>
    /// For a member that did not answer, when the poller first saw it fail in the run of failed rounds that this one
    /// continues (every round counts, retained in the history or not); <see langword="null"/> when it answered or when
    /// the snapshot was built by hand (diagnostics then use the history).
    /// </summary>
    public DateTimeOffset? DownSince { get; init; }

    /// <summary>Whether it answered.</summary>
    public bool IsUp => Status is not null;
}

/// <summary>
/// The cluster as one polling round saw it: every configured member's status (asked concurrently), the active alarms,
/// and what <see cref="ClusterDiagnostics"/> found. Immutable: keep as many as you like (and build them in your own
/// tests: <see cref="Round"/>, <see cref="Timestamp"/> and <see cref="Members"/> are required).
/// </summary>
public sealed record ClusterSnapshot
{
    /// <summary>The round's number, from 1, per poller.</summary>
    public required long Round { get; init; }

    /// <summary>When the round started (on the poller's <see cref="TimeProvider"/>).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>How long the round took: about the slowest member's status call, as members are asked concurrently.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>One entry per configured endpoint, in the configured order.</summary>
    public required IReadOnlyList<MemberSnapshot> Members { get; init; }

    /// <summary>
    /// The cluster's active alarms, as the members' status reports them (etcd lists every member's alarms in each
    /// member's status errors); the same as <c>etcdctl alarm list</c>, without an extra call.
    /// </summary>
    public IReadOnlyList<EtcdAlarm> Alarms { get; init; } = [];

    /// <summary>
    /// How many leader changes (a different leader, or the same one re-elected in a higher term) the poller has seen
    /// since it started: a running total, so that the changes between two snapshots are the difference.
    /// </summary>
    public long LeaderChanges { get; init; }

    /// <summary>What the diagnostics found in this round, most severe first.</summary>
    public IReadOnlyList<DiagnosticFinding> Findings { get; init; } = [];

    /// <summary>The leader most of the members that answered name; <see cref="MemberId.None"/> when none names one.</summary>
    public MemberId Leader
    {
        get
        {
            var best = MemberId.None;
            var bestVotes = 0;
            foreach (var member in Members)
            {
                if (member.Status is not { Leader: { IsNone: false } leader })
                {
                    continue;
                }

                var votes = Members.Count(m => m.Status?.Leader == leader);
                if (votes > bestVotes || (votes == bestVotes && leader < best))
                {
                    best = leader;
                    bestVotes = votes;
                }
            }

            return best;
        }
    }

    /// <summary>The leader's own status, when the leader is among the members that answered.</summary>
    public EndpointStatus? LeaderStatus => Members.Select(m => m.Status).FirstOrDefault(s => s is { IsLeader: true });

    /// <summary>How many members answered.</summary>
    public int UpCount => Members.Count(m => m.IsUp);

    /// <summary>The most severe finding's severity; <see langword="null"/> when nothing was found.</summary>
    public FindingSeverity? HighestSeverity => Findings.Count == 0 ? null : Findings.Max(f => f.Severity);
}
