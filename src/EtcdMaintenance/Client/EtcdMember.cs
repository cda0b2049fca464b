namespace EtcdMaintenance;

/// <summary>A cluster member as <c>etcdctl member list</c> shows it.</summary>
/// <param name="Id">The member ID.</param>
/// <param name="Name">The member name; empty while the member has been added but not yet started.</param>
/// <param name="PeerUrls">The URLs the member's peers reach it on.</param>
/// <param name="ClientUrls">The URLs clients reach it on; empty until it has started.</param>
/// <param name="IsLearner">Whether it is a non-voting learner.</param>
public sealed record EtcdMember(MemberId Id, string Name, IReadOnlyList<string> PeerUrls, IReadOnlyList<string> ClientUrls, bool IsLearner)
{
    /// <summary>Whether the member has started and published its name and client URLs (etcdctl's STATUS column).</summary>
    public bool IsStarted => Name.Length > 0;
}

/// <summary>The member list with the header of the answer that carried it.</summary>
/// <param name="Header">The response header.</param>
/// <param name="Members">The members, as etcd listed them.</param>
public sealed record EtcdMemberList(ResponseHeader Header, IReadOnlyList<EtcdMember> Members)
{
    /// <summary>Finds a member by ID.</summary>
    public EtcdMember? Find(MemberId id) => Members.FirstOrDefault(m => m.Id == id);

    /// <summary>Finds a member by name (ordinal).</summary>
    public EtcdMember? FindByName(string name) => Members.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.Ordinal));

    /// <summary>The voting members.</summary>
    public IReadOnlyList<EtcdMember> Voters => [.. Members.Where(m => !m.IsLearner)];
}

/// <summary>The answer to <c>member add</c>: the new member and the list after the change.</summary>
/// <param name="Header">The response header.</param>
/// <param name="Member">The member added (no name and no client URLs until it starts).</param>
/// <param name="Members">All members after the change.</param>
public sealed record MemberAddResult(ResponseHeader Header, EtcdMember Member, IReadOnlyList<EtcdMember> Members);
