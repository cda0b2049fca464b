namespace EtcdMaintenance;

/// <summary>A cluster member as <c>etcdctl member list</c> shows it.</summary>
public sealed record EtcdMember
{
    /// <summary>Creates the value; the library builds it, and callers can in their own tests.</summary>
    /// <param name="id">The member ID.</param>
    /// <param name="name">The member name; empty while the member has been added but not yet started.</param>
    /// <param name="peerUrls">The URLs the member's peers reach it on.</param>
    /// <param name="clientUrls">The URLs clients reach it on; empty until it has started.</param>
    /// <param name="isLearner">Whether it is a non-voting learner.</param>
    public EtcdMember(MemberId id, string name, IReadOnlyList<string> peerUrls, IReadOnlyList<string> clientUrls, bool isLearner)
    {
        Id = id;
        Name = name;
        PeerUrls = peerUrls;
        ClientUrls = clientUrls;
        IsLearner = isLearner;
    }

    /// <summary>The member ID.</summary>
    public MemberId Id { get; init; }

    /// <summary>The member name; empty while the member has been added but not yet started.</summary>
    public string Name { get; init; }

    /// <summary>The URLs the member's peers reach it on.</summary>
    public IReadOnlyList<string> PeerUrls { get; init; }

    /// <summary>The URLs clients reach it on; empty until it has started.</summary>
    public IReadOnlyList<string> ClientUrls { get; init; }

    /// <summary>Whether it is a non-voting learner.</summary>
    public bool IsLearner { get; init; }

    /// <summary>Whether the member has started and published its name and client URLs (etcdctl's STATUS column).</summary>
    public bool IsStarted => Name.Length > 0;
}

/// <summary>The member list with the header of the answer that carried it.</summary>
public sealed record EtcdMemberList
{
    /// <summary>Creates the value; the library builds it, and callers can in their own tests.</summary>
    /// <param name="header">The response header.</param>
    /// <param name="members">The members, as etcd listed them.</param>
    public EtcdMemberList(ResponseHeader header, IReadOnlyList<EtcdMember> members)
    {
        Header = header;
        Members = members;
    }

    /// <summary>The response header.</summary>
    public ResponseHeader Header { get; init; }

    /// <summary>The members, as etcd listed them.</summary>
    public IReadOnlyList<EtcdMember> Members { get; init; }

    /// <summary>Finds a member by ID.</summary>
    public EtcdMember? Find(MemberId id) => Members.FirstOrDefault(m => m.Id == id);

    /// <summary>Finds a member by name (ordinal).</summary>
    public EtcdMember? FindByName(string name) => Members.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.Ordinal));

    /// <summary>The voting members.</summary>
    public IReadOnlyList<EtcdMember> Voters => [.. Members.Where(m => !m.IsLearner)];
}

/// <summary>The answer to <c>member add</c>: the new member and the list after the change.</summary>
public sealed record MemberAddResult
{
    /// <summary>Creates the value; the library builds it, and callers can in their own tests.</summary>
    /// <param name="header">The response header.</param>
    /// <param name="member">The member added (no name and no client URLs until it starts).</param>
    /// <param name="members">All members after the change.</param>
    public MemberAddResult(ResponseHeader header, EtcdMember member, IReadOnlyList<EtcdMember> members)
    {
        Header = header;
        Member = member;
        Members = members;
    }

    /// <summary>The response header.</summary>
    public ResponseHeader Header { get; init; }

    /// <summary>The member added (no name and no client URLs until it starts).</summary>
    public EtcdMember Member { get; init; }

    /// <summary>All members after the change.</summary>
    public IReadOnlyList<EtcdMember> Members { get; init; }
}
