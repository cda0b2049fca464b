namespace EtcdMaintenance;

/// <summary>The header etcd puts on every answer: who answered, in which cluster, at which revision and raft term.</summary>
public sealed record ResponseHeader
{
    /// <summary>Creates the value; the library builds it, and callers can in their own tests.</summary>
    /// <param name="clusterId">The cluster's ID.</param>
    /// <param name="memberId">The member that answered.</param>
    /// <param name="revision">The key-value store revision when the request was applied.</param>
    /// <param name="raftTerm">The raft term when the request was applied.</param>
    public ResponseHeader(ulong clusterId, MemberId memberId, long revision, ulong raftTerm)
    {
        ClusterId = clusterId;
        MemberId = memberId;
        Revision = revision;
        RaftTerm = raftTerm;
    }

    /// <summary>The cluster's ID.</summary>
    public ulong ClusterId { get; init; }

    /// <summary>The member that answered.</summary>
    public MemberId MemberId { get; init; }

    /// <summary>The key-value store revision when the request was applied.</summary>
    public long Revision { get; init; }

    /// <summary>The raft term when the request was applied.</summary>
    public ulong RaftTerm { get; init; }

    /// <summary>The cluster ID in hex, the way etcdctl prints it.</summary>
    public string ClusterIdHex => ClusterId.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
}
