using EtcdMaintenance.Hosting;

namespace EtcdMaintenance.Operations;

/// <summary>Which member to replace, where it runs, and how to bring it back.</summary>
public sealed record MemberReplacementRequest
{
    /// <summary>The member's name (<c>--name</c>, the NAME column of <c>etcdctl member list</c>).</summary>
    public required string MemberName { get; init; }

    /// <summary>Where the member runs: its host stops and starts it, moves its data dir aside and edits its manifest.</summary>
    public required IEtcdMemberHost Host { get; init; }

    /// <summary>The peer URLs to add the member back with; they must be what its manifest advertises (<c>--initial-advertise-peer-urls</c>).</summary>
    /// <value><see langword="null"/>: the member's current peer URLs.</value>
    public IReadOnlyList<string>? PeerUrls { get; init; }

    /// <summary>The member's data dir, moved aside (never deleted) before it rejoins empty.</summary>
    /// <value><see langword="null"/>: the manifest's <c>--data-dir</c>.</value>
    public string? DataDirectory { get; init; }

    /// <summary>
    /// Whether to add the member back as a learner and promote it once it has caught up (etcd's safe way), rather than as
    /// a voter at once (what the field did by hand).
    /// </summary>
    /// <value><see langword="true"/>.</value>
    public bool AsLearner { get; init; } = true;
}

/// <summary>Settings of a <see cref="MemberReplacementCoordinator"/>.</summary>
public sealed class MemberReplacementOptions
{
    /// <summary>Where operation journals go (one JSON file per operation, owner-only).</summary>
    /// <value><see cref="DefaultJournalDirectory"/>.</value>
    public string JournalDirectory { get; set; } = DefaultJournalDirectory;

    /// <summary>Where the snapshot taken before the replacement goes (owner-only).</summary>
    /// <value><see langword="null"/>: <see cref="JournalDirectory"/>.</value>
    public string? SnapshotDirectory { get; set; }

    /// <summary>How long to keep retrying a member change that etcd refuses as "unhealthy cluster" (it does for about 5 s after peers connect).</summary>
    /// <value>1 minute.</value>
    public TimeSpan MemberChangeTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a stopped member may take to stop answering, or leadership to move.</summary>
    /// <value>2 minutes.</value>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long the new member may take to start and catch up with the leader.</summary>
    /// <value>10 minutes.</value>
    public TimeSpan CatchUpTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long to keep retrying a promotion that etcd refuses as "learner not ready".</summary>
    /// <value>2 minutes.</value>
    public TimeSpan PromoteTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long the final verification may wait for every member to be started, healthy and equal.</summary>
    /// <value>2 minutes.</value>
    public TimeSpan VerifyTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often to look while waiting.</summary>
    /// <value>200 ms.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest delay between retries of a refused member change (the delay doubles from <see cref="PollInterval"/>).</summary>
    /// <value>2 seconds.</value>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The new member counts as caught up when its applied raft index is at most this far behind the leader's committed index.</summary>
    /// <value>100 entries.</value>
    public ulong CatchUpMaxLag { get; set; } = 100;

    /// <summary>Settings of the consistency checks run before and after.</summary>
    public ConsistencyCheckOptions Consistency { get; set; } = new();

    /// <summary>
    /// When the rejoined member needs a defragment before the replacement reports success: a member that rejoins replays
    /// the leader's raft log, so its file can end up far larger than the others' (even over its quota, which raises
    /// NOSPACE for the whole cluster at the next write).
    /// </summary>
    /// <value>OpenShift's rule (fragmentation at least 45% and at least 100 MB) or quota usage at least 80%.</value>
    public DefragCondition DefragmentRejoinedMemberWhen { get; set; } =
        DefragCondition.OpenShift | DefragCondition.When(DefragMetric.QuotaUsage, DefragComparison.AtLeast, 0.8);

    /// <summary>
    /// Whether the replacement may defragment the rejoined member itself when <see cref="DefragmentRejoinedMemberWhen"/>
    /// holds; otherwise it stops at the last step with that advice (run again after defragmenting to finish).
    /// </summary>
    /// <value><see langword="true"/>.</value>
    public bool DefragmentRejoinedMember { get; set; } = true;

    /// <summary>The default journal directory: <c>/var/lib/etcd-maintenance/journals</c> (<c>etcd-maintenance\journals</c> under the common application data folder on Windows).</summary>
    public static string DefaultJournalDirectory => OperatingSystem.IsWindows()
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "etcd-maintenance", "journals")
        : "/var/lib/etcd-maintenance/journals";

    internal string EffectiveSnapshotDirectory => SnapshotDirectory ?? JournalDirectory;

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(JournalDirectory, nameof(JournalDirectory));
        ArgumentNullException.ThrowIfNull(Consistency, nameof(Consistency));
        ArgumentNullException.ThrowIfNull(DefragmentRejoinedMemberWhen, nameof(DefragmentRejoinedMemberWhen));
        Consistency.Validate();
        foreach (var (value, name) in new[]
        {
            (MemberChangeTimeout, nameof(MemberChangeTimeout)), (StopTimeout, nameof(StopTimeout)), (CatchUpTimeout, nameof(CatchUpTimeout)),
            (PromoteTimeout, nameof(PromoteTimeout)), (VerifyTimeout, nameof(VerifyTimeout)), (PollInterval, nameof(PollInterval)), (MaxRetryDelay, nameof(MaxRetryDelay)),
        })
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, name);
        }
    }
}

/// <summary>The steps of a member replacement, in order. Each is idempotent and journaled before the next starts.</summary>
public enum MemberReplacementStep
{
    /// <summary>Stream a snapshot of a healthy member to a file (owner-only) and verify its hash.</summary>
    Snapshot = 1,

    /// <summary>Hand leadership to a healthy member if the member to replace leads.</summary>
    MoveLeader,

    /// <summary>Stop the member through its host and wait until it no longer answers.</summary>
    StopMember,

    /// <summary>Remove the member from the cluster (<c>etcdctl member remove</c>).</summary>
    RemoveMember,

    /// <summary>Move the member's data dir aside (renamed, never deleted).</summary>
    ArchiveDataDirectory,

    /// <summary>Add the member back with the same peer URLs, as a learner by default (<c>etcdctl member add</c>).</summary>
    AddMember,

    /// <summary>Set <c>--initial-cluster-state=existing</c> and an <c>--initial-cluster</c> rebuilt from the live member list in its manifest.</summary>
    UpdateManifest,

    /// <summary>Start the member through its host.</summary>
    StartMember,

    /// <summary>Wait until it answers as the new member and its applied index is close to the leader's (and, for a voter, its hash equals the leader's).</summary>
    WaitForCatchUp,

    /// <summary>Promote the learner to a voter, retrying while etcd says it is not ready (<c>etcdctl member promote</c>).</summary>
    PromoteMember,

    /// <summary>Check that every member is started, healthy and voting, and that the hashes are equal.</summary>
    Verify,

    /// <summary>Done.</summary>
    Completed,
}

/// <summary>One precondition of a replacement, checked by the plan.</summary>
public sealed record MemberReplacementPrecondition
{
    /// <summary>What is checked, e.g. <c>Quorum without the member</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Whether it holds.</summary>
    public required bool Passed { get; init; }

    /// <summary>The values seen, or what to do when it does not hold.</summary>
    public required string Detail { get; init; }
}

/// <summary>The dry run of a member replacement: the member, the preconditions, the steps and their etcdctl equivalents.</summary>
public sealed record MemberReplacementPlan
{
    /// <summary>The member to replace.</summary>
    public required string MemberName { get; init; }

    /// <summary>Its current ID (removed by the replacement).</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>The cluster's ID.</summary>
    public required ulong ClusterId { get; init; }

    /// <summary>The peer URLs it has now.</summary>
    public required IReadOnlyList<string> CurrentPeerUrls { get; init; }

    /// <summary>The peer URLs it is added back with.</summary>
    public required IReadOnlyList<string> PeerUrls { get; init; }

    /// <summary>The client URLs it serves on (from its manifest's <c>--advertise-client-urls</c>, else the member list).</summary>
    public required IReadOnlyList<string> ClientUrls { get; init; }

    /// <summary>Whether it is added back as a learner and promoted.</summary>
    public required bool AsLearner { get; init; }

    /// <summary>Its data dir, moved aside before it rejoins.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Its manifest.</summary>
    public required string ManifestPath { get; init; }

    /// <summary>Its host's name.</summary>
    public required string HostName { get; init; }

    /// <summary>The member leadership is handed to first, when the member leads.</summary>
    public MemberId? MoveLeaderTo { get; init; }

    /// <summary>The member the snapshot is taken from.</summary>
    public string? SnapshotSource { get; init; }

    /// <summary>The <c>--initial-cluster</c> it would get if the member list did not change in between (it is rebuilt from the live list when applied).</summary>
    public string? InitialCluster { get; init; }

    /// <summary>Every precondition, in the order checked.</summary>
    public required IReadOnlyList<MemberReplacementPrecondition> Preconditions { get; init; }

    /// <summary>The steps, with their etcdctl or shell equivalents.</summary>
    public required IReadOnlyList<OperationStep> Steps { get; init; }

    /// <summary>The journal identifiers of <see cref="Steps"/>, in the same order: the steps a run of this plan runs.</summary>
    internal IReadOnlyList<MemberReplacementStep> StepIds { get; init; } = [];

    /// <summary>The consistency check the plan was based on.</summary>
    public required ConsistencyReport Consistency { get; init; }

    /// <summary>Whether every precondition holds (the replacement may start).</summary>
    public bool IsReady => Preconditions.All(p => p.Passed);

    /// <summary>The first precondition that does not hold, if any.</summary>
    public MemberReplacementPrecondition? FirstFailure => Preconditions.FirstOrDefault(p => !p.Passed);

    /// <summary>The cluster ID in hex, as etcdctl prints it.</summary>
    public string ClusterIdHex => ClusterId.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>What a progress event reports.</summary>
public enum MemberReplacementProgressKind
{
    /// <summary>A step started.</summary>
    StepStarted,

    /// <summary>A step finished and was journaled.</summary>
    StepCompleted,

    /// <summary>A step had nothing to do (already done before a crash, or not needed) and was journaled.</summary>
    StepSkipped,

    /// <summary>Waiting for something (the member to stop, catch up, a refused change to be accepted).</summary>
    Waiting,

    /// <summary>A step failed; the operation stopped and the journal says where.</summary>
    StepFailed,

    /// <summary>The replacement finished and was verified.</summary>
    Completed,
}

/// <summary>A progress event of a member replacement.</summary>
public sealed record MemberReplacementProgress
{
    /// <summary>The operation.</summary>
    public required string OperationId { get; init; }

    /// <summary>The step concerned.</summary>
    public required MemberReplacementStep Step { get; init; }

    /// <summary>What happened.</summary>
    public required MemberReplacementProgressKind Kind { get; init; }

    /// <summary>A one-line description for people.</summary>
    public required string Message { get; init; }

    /// <summary>Time since this run (start or resume) began.</summary>
    public required TimeSpan Elapsed { get; init; }
}

/// <summary>The verified snapshot taken before the replacement.</summary>
public sealed record MemberReplacementSnapshot
{
    /// <summary>The file (owner-only).</summary>
    public required string Path { get; init; }

    /// <summary>The SHA-256 of the database, in lower-case hex (etcd's trailer, checked against the file on disk).</summary>
    public required string Sha256 { get; init; }

    /// <summary>The file's size in bytes, etcd's 32-byte trailer included.</summary>
    public required long Size { get; init; }

    /// <summary>The revision it was taken at (etcd 3.4 sends none with the stream: then the source member's revision just before, a lower bound).</summary>
    public required long Revision { get; init; }

    /// <summary>The member it was taken from.</summary>
    public required string Source { get; init; }
}

/// <summary>A step as the journal records it.</summary>
public sealed record MemberReplacementStepRecord
{
    /// <summary>The step.</summary>
    public required MemberReplacementStep Step { get; init; }

    /// <summary>When it was journaled as done.</summary>
    public required DateTimeOffset CompletedAt { get; init; }

    /// <summary>Whether it found its work already done (for example by a run that crashed) or not needed.</summary>
    public required bool AlreadyDone { get; init; }

    /// <summary>What it did or found.</summary>
    public required string Note { get; init; }

    /// <summary>The node (host name) the step ran against.</summary>
    public string? Node { get; init; }

    /// <summary>How etcd ran there (<c>kubeadm-static-pod</c>, <c>local-process</c>, or the host's type name).</summary>
    public string? RunMode { get; init; }
}

/// <summary>
/// The journal of a member replacement: everything a resumed run needs, written atomically after every step. Versioned; a
/// resume refuses another version and another cluster ID.
/// </summary>
public sealed record MemberReplacementCheckpoint
{
    /// <summary>The journal format this library writes and reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The journal format.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>The operation's ID.</summary>
    public required string OperationId { get; init; }

    /// <summary>The cluster's ID.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(HexUInt64JsonConverter))]
    public required ulong ClusterId { get; init; }

    /// <summary>The member's name.</summary>
    public required string MemberName { get; init; }

    /// <summary>The member's ID before the replacement.</summary>
    public required MemberId OldMemberId { get; init; }

    /// <summary>The peer URLs the old member had.</summary>
    public required IReadOnlyList<string> OldPeerUrls { get; init; }

    /// <summary>The member's ID once added back; <see langword="null"/> before.</summary>
    public MemberId? NewMemberId { get; init; }

    /// <summary>The peer URLs it is added back with.</summary>
    public required IReadOnlyList<string> PeerUrls { get; init; }

    /// <summary>The client URLs it serves on.</summary>
    public required IReadOnlyList<string> ClientUrls { get; init; }

    /// <summary>Whether it is added back as a learner and promoted.</summary>
    public required bool AsLearner { get; init; }

    /// <summary>The number of voting members before the replacement (and after it).</summary>
    public required int VoterCount { get; init; }

    /// <summary>The host's name.</summary>
    public required string HostName { get; init; }

    /// <summary>The member's manifest (a resume checks that it is given the same host).</summary>
    public required string ManifestPath { get; init; }

    /// <summary>
    /// How etcd runs on the member's node (<c>kubeadm-static-pod</c>, <c>local-process</c>, or the host's type name); a
    /// resume refuses a host with another run mode or for another node than <see cref="HostName"/>.
    /// <see langword="null"/> in journals written before it was recorded.
    /// </summary>
    public string? RunMode { get; init; }

    /// <summary>The member's data dir.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Where the old data dir was moved, once it was (<see langword="null"/> before, or when there was none).</summary>
    public string? ArchivedDataDirectory { get; init; }

    /// <summary>The snapshot, once taken.</summary>
    public MemberReplacementSnapshot? Snapshot { get; init; }

    /// <summary>The member leadership was handed to, if it was.</summary>
    public MemberId? LeaderMovedTo { get; init; }

    /// <summary>The next step to run; <see cref="MemberReplacementStep.Completed"/> when done.</summary>
    public required MemberReplacementStep NextStep { get; init; }

    /// <summary>The steps done, in order.</summary>
    public IReadOnlyList<MemberReplacementStepRecord> CompletedSteps { get; init; } = [];

    /// <summary>When the operation started.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the journal was last written.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Why the last run stopped, when it failed.</summary>
    public string? LastError { get; init; }

    /// <summary>Whether the replacement finished and was verified.</summary>
    public bool IsCompleted => NextStep == MemberReplacementStep.Completed;

    /// <summary>The cluster ID in hex, as etcdctl prints it.</summary>
    public string ClusterIdHex => ClusterId.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The outcome of a finished replacement.</summary>
public sealed record MemberReplacementResult
{
    /// <summary>The operation.</summary>
    public required string OperationId { get; init; }

    /// <summary>The member replaced.</summary>
    public required string MemberName { get; init; }

    /// <summary>Its ID before.</summary>
    public required MemberId OldMemberId { get; init; }

    /// <summary>Its ID now.</summary>
    public required MemberId NewMemberId { get; init; }

    /// <summary>Where its old data dir is (never deleted), if it had one.</summary>
    public string? ArchivedDataDirectory { get; init; }

    /// <summary>The snapshot taken first.</summary>
    public MemberReplacementSnapshot? Snapshot { get; init; }

    /// <summary>The verification's consistency check; <see langword="null"/> when the result was read back from a completed journal.</summary>
    public ConsistencyReport? FinalCheck { get; init; }

    /// <summary>The steps as journaled.</summary>
    public required IReadOnlyList<MemberReplacementStepRecord> Steps { get; init; }
}

/// <summary>
/// A member replacement stopped at a step: the message says what failed, what state the cluster is in, how to continue
/// (resume from <see cref="JournalPath"/>) and how to roll back.
/// </summary>
public sealed class MemberReplacementException : EtcdException
{
    /// <summary>Creates the error (public so that callers can fake it in tests).</summary>
    public MemberReplacementException(string message, string operationId, MemberReplacementStep step, string journalPath, string continueAdvice, string rollbackAdvice, Exception? innerException = null)
        : base(message, (innerException as EtcdException)?.Endpoint, "MemberReplacement", (innerException as EtcdException)?.StatusCode ?? EtcdStatusCode.FailedPrecondition,
            (innerException as EtcdException)?.ErrorCode ?? EtcdErrorCode.SafetyCheckRefused, (innerException as EtcdException)?.ServerMessage, innerException)
    {
        OperationId = operationId;
        Step = step;
        JournalPath = journalPath;
        ContinueAdvice = continueAdvice;
        RollbackAdvice = rollbackAdvice;
    }

    /// <summary>The operation.</summary>
    public string OperationId { get; }

    /// <summary>The step that failed (the journal's next step).</summary>
    public MemberReplacementStep Step { get; }

    /// <summary>The journal to resume from.</summary>
    public string JournalPath { get; }

    /// <summary>How to go on.</summary>
    public string ContinueAdvice { get; }

    /// <summary>How to go back, as far as that is possible at this step.</summary>
    public string RollbackAdvice { get; }
}
