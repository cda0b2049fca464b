namespace EtcdMaintenance;

/// <summary>The header etcd puts on every answer: who answered, in which cluster, at which revision and raft term.</summary>
/// <param name="ClusterId">The cluster's ID.</param>
/// <param name="MemberId">The member that answered.</param>
/// <param name="Revision">The key-value store revision when the request was applied.</param>
/// <param name="RaftTerm">The raft term when the request was applied.</param>
public sealed record ResponseHeader(ulong ClusterId, MemberId MemberId, long Revision, ulong RaftTerm)
{
    /// <summary>The cluster ID in hex, the way etcdctl prints it.</summary>
    public string ClusterIdHex => ClusterId.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
}
