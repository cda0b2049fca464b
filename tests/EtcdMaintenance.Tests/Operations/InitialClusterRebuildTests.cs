using EtcdMaintenance.Operations;
using FsCheck;
using FsCheck.Fluent;

namespace EtcdMaintenance.Tests.Operations;

public sealed class InitialClusterRebuildTests
{
    private static EtcdMember Started(ulong id, string name, string peer) => new(new MemberId(id), name, [peer], [peer.Replace("2380", "2379", StringComparison.Ordinal)], false);

    private static EtcdMember Unstarted(ulong id, string peer, bool learner = true) => new(new MemberId(id), string.Empty, [peer], [], learner);

    [Fact]
    public void Rebuild_ListsTheLiveMembersAndTheAddedOneUnderItsName_InMemberListOrder()
    {
        var members = new[] { Started(1, "n1", "https://10.0.0.1:2380"), Unstarted(9, "https://10.0.0.2:2380"), Started(3, "n3", "https://10.0.0.3:2380") };

        var cluster = MemberReplacementPlanner.RebuildInitialCluster(members, "n2", ["https://10.0.0.2:2380"], new MemberId(9));

        Assert.Equal("n1=https://10.0.0.1:2380,n2=https://10.0.0.2:2380,n3=https://10.0.0.3:2380", cluster.ToString());
    }

    [Fact]
    public void Rebuild_BeforeTheAdd_AppendsTheMember_ForThePlan()
    {
        var members = new[] { Started(1, "n1", "https://10.0.0.1:2380"), Started(3, "n3", "https://10.0.0.3:2380") };

        var cluster = MemberReplacementPlanner.RebuildInitialCluster(members, "n2", ["https://10.0.0.2:2380"], null);

        Assert.Equal("n1=https://10.0.0.1:2380,n3=https://10.0.0.3:2380,n2=https://10.0.0.2:2380", cluster.ToString());
    }

    [Fact]
    public void Rebuild_KeepsEveryPeerUrlOfAMemberWithSeveral()
    {
        var members = new[] { new EtcdMember(new MemberId(1), "n1", ["https://10.0.0.1:2380", "https://[fd00::1]:2380"], [], false), Unstarted(9, "https://10.0.0.2:2380") };

        var cluster = MemberReplacementPlanner.RebuildInitialCluster(members, "n2", ["https://10.0.0.2:2380"], new MemberId(9));

        Assert.Equal("n1=https://10.0.0.1:2380,n1=https://[fd00::1]:2380,n2=https://10.0.0.2:2380", cluster.ToString());
    }

    [Fact]
    public void Rebuild_RefusesAnotherMemberThatHasNotStarted_ItsNameIsUnknown()
    {
        var members = new[] { Started(1, "n1", "https://10.0.0.1:2380"), Unstarted(9, "https://10.0.0.2:2380"), Unstarted(7, "https://10.0.0.7:2380") };

        var error = Assert.Throws<InvalidOperationException>(() => MemberReplacementPlanner.RebuildInitialCluster(members, "n2", ["https://10.0.0.2:2380"], new MemberId(9)));

        Assert.Contains("7", error.Message, StringComparison.Ordinal);
        Assert.Contains("has not started", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rebuild_RefusesAnotherMemberWithTheSameName()
    {
        var members = new[] { Started(1, "n2", "https://10.0.0.1:2380"), Unstarted(9, "https://10.0.0.2:2380") };

        Assert.Throws<InvalidOperationException>(() => MemberReplacementPlanner.RebuildInitialCluster(members, "n2", ["https://10.0.0.2:2380"], new MemberId(9)));
    }

    [Fact]
    public void Rebuild_HasExactlyOneEntryPerLiveMember_NoStaleOnes_ForAnyClusterSize()
    {
        // etcd fails with "member count is unequal" when --initial-cluster names more (or fewer) members than the cluster has.
        Prop.ForAll(Gen.Choose(1, 9).ToArbitrary(), Gen.Choose(0, 8).ToArbitrary(), (size, position) =>
        {
            var live = Enumerable.Range(1, size).Select(i => Started((ulong)i, $"m{i}", $"http://10.1.0.{i}:2380")).ToList();
            live.Insert(Math.Min(position, live.Count), Unstarted(100, "http://10.9.9.9:2380"));
            var cluster = MemberReplacementPlanner.RebuildInitialCluster(live, "new", ["http://10.9.9.9:2380"], new MemberId(100));
            return cluster.Members.Count == size + 1
                && cluster.Members.Count(m => m.Name == "new") == 1
                && live.Where(m => m.IsStarted).All(m => cluster.Find(m.Name)?.PeerUrls.SequenceEqual(m.PeerUrls) == true);
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData("https://10.0.0.2:2380", "https://10.0.0.2:2380/", true)]
    [InlineData("https://10.0.0.2:2380", "HTTPS://10.0.0.2:2380", true)]
    [InlineData("https://10.0.0.2:2380", "https://10.0.0.2:2381", false)]
    [InlineData("https://10.0.0.2:2380", "http://10.0.0.2:2380", false)]
    public void SamePeerUrls_IgnoresOrderCaseAndTrailingSlashOnly(string a, string b, bool same) =>
        Assert.Equal(same, MemberReplacementPlanner.SamePeerUrls([a], [b]));
}
