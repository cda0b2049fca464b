using EtcdMaintenance;

namespace EtcdDoctor;

/// <summary>
/// The JSON shapes etcd-doctor prints (documented in the README): IDs as numbers, as etcdctl's <c>-w json</c> prints them,
/// each with a hex string beside it (<c>memberId</c> and <c>memberIdHex</c>), sizes in bytes, durations as Go writes them.
/// </summary>
internal static class JsonShapes
{
    /// <summary><c>status</c>: one entry per endpoint, with its status or its error.</summary>
    public static object Status(ClusterStatus status) => status.Endpoints.Select(e => new
    {
        Endpoint = e.Endpoint.Text,
        Status = e.Status is { } s ? Status(s) : null,
        Error = e.Error is { } error ? Output.Describe(error) : null,
    });

    public static object Status(EndpointStatus s) => new
    {
        MemberId = s.MemberId.Value,
        MemberIdHex = s.MemberId.ToString(),
        ClusterId = s.Header?.ClusterId,
        ClusterIdHex = s.Header?.ClusterIdHex,
        Leader = s.Leader.Value,
        LeaderHex = s.Leader.ToString(),
        s.IsLeader,
        s.IsLearner,
        s.Version,
        s.StorageVersion,
        s.DbSize,
        s.DbSizeInUse,
        s.DbSizeQuota,
        s.FragmentedBytes,
        s.FragmentationRatio,
        s.QuotaUsage,
        s.RaftTerm,
        s.RaftIndex,
        s.RaftAppliedIndex,
        Revision = s.Header?.Revision,
        s.Errors,
    };

    /// <summary>A member as <c>member list</c> and the other member commands print it.</summary>
    public static object Member(EtcdMember m) => new
    {
        Id = m.Id.Value,
        IdHex = m.Id.ToString(),
        m.Name,
        m.PeerUrls,
        m.ClientUrls,
        m.IsLearner,
        m.IsStarted,
    };

    /// <summary>A member list with the header of the answer.</summary>
    public static object Members(ResponseHeader header, IEnumerable<EtcdMember> members) => new
    {
        Header = Header(header),
        Members = members.Select(Member),
    };

    public static object Header(ResponseHeader h) => new
    {
        h.ClusterId,
        h.ClusterIdHex,
        MemberId = h.MemberId.Value,
        MemberIdHex = h.MemberId.ToString(),
        h.Revision,
        h.RaftTerm,
    };

    /// <summary>An alarm: the member's ID (number and hex) and the alarm's name as etcdctl prints it.</summary>
    public static object Alarm(EtcdAlarm a) => new
    {
        MemberId = a.MemberId.Value,
        MemberIdHex = a.MemberId.ToString(),
        Alarm = a.ToString()[(a.ToString().LastIndexOf(':') + 1)..],
    };
}
