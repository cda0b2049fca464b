namespace EtcdMaintenance;

/// <summary>The answer to a compaction (RPC <c>KV.Compact</c>).</summary>
public sealed record CompactionResult
{
    /// <summary>Creates the value; the library builds it, and callers can in their own tests.</summary>
    /// <param name="header">The response header (all zeros when <see cref="AlreadyCompacted"/>: etcd answers that with an error, which has none).</param>
    /// <param name="revision">The revision compacted at.</param>
    /// <param name="physical">Whether the call waited until the compaction was physically applied.</param>
    public CompactionResult(ResponseHeader header, long revision, bool physical)
    {
        Header = header;
        Revision = revision;
        Physical = physical;
    }

    /// <summary>The response header (all zeros when <see cref="AlreadyCompacted"/>: etcd answers that with an error, which has none).</summary>
    public ResponseHeader Header { get; init; }

    /// <summary>The revision compacted at.</summary>
    public long Revision { get; init; }

    /// <summary>Whether the call waited until the compaction was physically applied.</summary>
    public bool Physical { get; init; }

    /// <summary>
    /// Whether the history up to <see cref="Revision"/> had already been compacted (etcd answered
    /// <c>required revision has been compacted</c>): nothing was done, and the outcome asked for holds.
    /// </summary>
    public bool AlreadyCompacted { get; init; }
}

/// <summary>The answer to a defragment of one member (RPC <c>Maintenance.Defragment</c>).</summary>
public sealed record DefragmentResult
{
    /// <summary>Creates the value; the library builds it, and callers can in their own tests.</summary>
    /// <param name="endpoint">The member's endpoint.</param>
    /// <param name="header">The response header.</param>
    /// <param name="elapsed">How long the member took.</param>
    public DefragmentResult(EtcdEndpoint endpoint, ResponseHeader header, TimeSpan elapsed)
    {
        Endpoint = endpoint;
        Header = header;
        Elapsed = elapsed;
    }

    /// <summary>The member's endpoint.</summary>
    public EtcdEndpoint Endpoint { get; init; }

    /// <summary>The response header.</summary>
    public ResponseHeader Header { get; init; }

    /// <summary>How long the member took.</summary>
    public TimeSpan Elapsed { get; init; }
}

/// <summary>The hash of one member's key-value store up to a revision (RPC <c>Maintenance.HashKV</c>).</summary>
public sealed record HashKvResult
{
    /// <summary>Creates the value; the library builds it, and callers can in their own tests.</summary>
    /// <param name="endpoint">The member's endpoint.</param>
    /// <param name="header">The response header.</param>
    /// <param name="hash">The hash of the keys and values up to <see cref="HashRevision"/>.</param>
    /// <param name="compactRevision">The member's compacted revision when hashed.</param>
    /// <param name="hashRevision">The revision that was hashed (reported by etcd 3.5.8+; otherwise the requested one, or the header revision for 0).</param>
    public HashKvResult(EtcdEndpoint endpoint, ResponseHeader header, uint hash, long compactRevision, long hashRevision)
    {
        Endpoint = endpoint;
        Header = header;
        Hash = hash;
        CompactRevision = compactRevision;
        HashRevision = hashRevision;
    }

    /// <summary>The member's endpoint.</summary>
    public EtcdEndpoint Endpoint { get; init; }

    /// <summary>The response header.</summary>
    public ResponseHeader Header { get; init; }

    /// <summary>The hash of the keys and values up to <see cref="HashRevision"/>.</summary>
    public uint Hash { get; init; }

    /// <summary>The member's compacted revision when hashed.</summary>
    public long CompactRevision { get; init; }

    /// <summary>The revision that was hashed (reported by etcd 3.5.8+; otherwise the requested one, or the header revision for 0).</summary>
    public long HashRevision { get; init; }
}

/// <summary>A snapshot streamed from one member (RPC <c>Maintenance.Snapshot</c>; <c>etcdctl snapshot save</c>).</summary>
public sealed record SnapshotResult
{
    /// <summary>Creates the value; the library builds it, and callers can in their own tests.</summary>
    /// <param name="endpoint">The member the snapshot came from.</param>
    /// <param name="size">Bytes written to the destination, including etcd's 32-byte SHA-256 trailer.</param>
    /// <param name="sha256">The SHA-256 of the database (the trailer etcd appends), verified, in lower-case hex.</param>
    /// <param name="revision">The revision in the first response header.</param>
    public SnapshotResult(EtcdEndpoint endpoint, long size, string sha256, long revision)
    {
        Endpoint = endpoint;
        Size = size;
        Sha256 = sha256;
        Revision = revision;
    }

    /// <summary>The member the snapshot came from.</summary>
    public EtcdEndpoint Endpoint { get; init; }

    /// <summary>Bytes written to the destination, including etcd's 32-byte SHA-256 trailer.</summary>
    public long Size { get; init; }

    /// <summary>The SHA-256 of the database (the trailer etcd appends), verified, in lower-case hex.</summary>
    public string Sha256 { get; init; }

    /// <summary>The revision in the first response header.</summary>
    public long Revision { get; init; }
}

/// <summary>One endpoint's health as <c>etcdctl endpoint health</c> judges it.</summary>
public sealed record EndpointHealth
{
    /// <summary>Creates the value; the library builds it, and callers can in their own tests.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="isHealthy">Whether it answered a linearizable read and no alarm is active.</param>
    /// <param name="elapsed">How long the check took.</param>
    /// <param name="error">Why it is unhealthy, when it is.</param>
    public EndpointHealth(EtcdEndpoint endpoint, bool isHealthy, TimeSpan elapsed, string? error)
    {
        Endpoint = endpoint;
        IsHealthy = isHealthy;
        Elapsed = elapsed;
        Error = error;
    }

    /// <summary>The endpoint.</summary>
    public EtcdEndpoint Endpoint { get; init; }

    /// <summary>Whether it answered a linearizable read and no alarm is active.</summary>
    public bool IsHealthy { get; init; }

    /// <summary>How long the check took.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Why it is unhealthy, when it is.</summary>
    public string? Error { get; init; }

    /// <summary>Whether the linearizable read succeeded (the member is up and the cluster has a leader), alarms aside.</summary>
    public bool AnswersReads { get; init; }

    /// <summary>The alarms active when the check ran.</summary>
    public IReadOnlyList<EtcdAlarm> Alarms { get; init; } = [];
}
