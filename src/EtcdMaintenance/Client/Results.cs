namespace EtcdMaintenance;

/// <summary>The answer to a compaction (RPC <c>KV.Compact</c>).</summary>
/// <param name="Header">The response header (all zeros when <see cref="AlreadyCompacted"/>: etcd answers that with an error, which has none).</param>
/// <param name="Revision">The revision compacted at.</param>
/// <param name="Physical">Whether the call waited until the compaction was physically applied.</param>
public sealed record CompactionResult(ResponseHeader Header, long Revision, bool Physical)
{
    /// <summary>
    /// Whether the history up to <see cref="Revision"/> had already been compacted (etcd answered
    /// <c>required revision has been compacted</c>): nothing was done, and the outcome asked for holds.
    /// </summary>
    public bool AlreadyCompacted { get; init; }
}

/// <summary>The answer to a defragment of one member (RPC <c>Maintenance.Defragment</c>).</summary>
/// <param name="Endpoint">The member's endpoint.</param>
/// <param name="Header">The response header.</param>
/// <param name="Elapsed">How long the member took.</param>
public sealed record DefragmentResult(EtcdEndpoint Endpoint, ResponseHeader Header, TimeSpan Elapsed);

/// <summary>The hash of one member's key-value store up to a revision (RPC <c>Maintenance.HashKV</c>).</summary>
/// <param name="Endpoint">The member's endpoint.</param>
/// <param name="Header">The response header.</param>
/// <param name="Hash">The hash of the keys and values up to <see cref="HashRevision"/>.</param>
/// <param name="CompactRevision">The member's compacted revision when hashed.</param>
/// <param name="HashRevision">The revision that was hashed (reported by etcd 3.5.8+; otherwise the requested one, or the header revision for 0).</param>
public sealed record HashKvResult(EtcdEndpoint Endpoint, ResponseHeader Header, uint Hash, long CompactRevision, long HashRevision);

/// <summary>A snapshot streamed from one member (RPC <c>Maintenance.Snapshot</c>; <c>etcdctl snapshot save</c>).</summary>
/// <param name="Endpoint">The member the snapshot came from.</param>
/// <param name="Size">Bytes written to the destination, including etcd's 32-byte SHA-256 trailer.</param>
/// <param name="Sha256">The SHA-256 of the database (the trailer etcd appends), verified, in lower-case hex.</param>
/// <param name="Revision">The revision in the first response header.</param>
public sealed record SnapshotResult(EtcdEndpoint Endpoint, long Size, string Sha256, long Revision);

/// <summary>One endpoint's health as <c>etcdctl endpoint health</c> judges it.</summary>
/// <param name="Endpoint">The endpoint.</param>
/// <param name="IsHealthy">Whether it answered a linearizable read and no alarm is active.</param>
/// <param name="Elapsed">How long the check took.</param>
/// <param name="Error">Why it is unhealthy, when it is.</param>
public sealed record EndpointHealth(EtcdEndpoint Endpoint, bool IsHealthy, TimeSpan Elapsed, string? Error)
{
    /// <summary>Whether the linearizable read succeeded (the member is up and the cluster has a leader), alarms aside.</summary>
    public bool AnswersReads { get; init; }

    /// <summary>The alarms active when the check ran.</summary>
    public IReadOnlyList<EtcdAlarm> Alarms { get; init; } = [];
}
