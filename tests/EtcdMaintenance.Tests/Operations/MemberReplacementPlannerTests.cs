using EtcdMaintenance.Hosting;
using EtcdMaintenance.Operations;
using EtcdMaintenance.Tests.Infrastructure;

namespace EtcdMaintenance.Tests.Operations;

public sealed class MemberReplacementPlannerTests : IDisposable
{
    private readonly FakeEtcdCluster _cluster = new();
    private readonly FakeMemberHost _host;

    public MemberReplacementPlannerTests()
    {
        _host = new FakeMemberHost(_cluster, "n2");
    }

    public void Dispose() => _host.Dispose();

    private MemberReplacementRequest Request(string name = "n2", bool asLearner = true) =>
        new() { MemberName = name, Host = _host, PeerUrls = [_cluster[name].PeerUrl], AsLearner = asLearner };

    private async Task<MemberReplacementPlan> PlanAsync(MemberReplacementRequest? request = null, Func<ReplacementFacts, ReplacementFacts>? change = null)
    {
        var observation = await new ConsistencyChecker(_cluster).ObserveAsync(CancellationToken.None);
        var facts = new ReplacementFacts(observation, ManifestFacts.From(await _host.LoadManifestAsync(), _host.ManifestPath), [], _cluster.Endpoints, _host.Name,
            HostCommands.For(_host), "/var/lib/etcd-maintenance/journals");
        return MemberReplacementPlanner.Plan(request ?? Request(), change?.Invoke(facts) ?? facts, new MemberReplacementOptions());
    }

    private static MemberReplacementPrecondition Precondition(MemberReplacementPlan plan, string name) => plan.Preconditions.Single(p => p.Name == name);

    [Fact]
    public async Task HealthyCluster_EveryPreconditionHolds_AndTheStepsAreTheRunbookWithHexIds()
    {
        var plan = await PlanAsync();

        Assert.True(plan.IsReady, plan.FirstFailure?.Detail);
        Assert.Equal(11, plan.Steps.Count);
        Assert.Equal(Enumerable.Range(1, 11), plan.Steps.Select(s => s.Number));
        Assert.Contains("member remove 2222", plan.Steps[3].EquivalentCommand, StringComparison.Ordinal);
        Assert.Contains("member add n2 --peer-urls=http://10.0.0.2:2380 --learner", plan.Steps[5].EquivalentCommand, StringComparison.Ordinal);
        Assert.Equal("n1=http://10.0.0.1:2380,n3=http://10.0.0.3:2380,n2=http://10.0.0.2:2380", plan.InitialCluster);
        Assert.Contains("mv ", plan.Steps[4].EquivalentCommand, StringComparison.Ordinal);
        Assert.All(plan.Steps, s => Assert.DoesNotMatch(@"(^|[;&|]\s*)rm\s", s.EquivalentCommand));
        Assert.Null(plan.MoveLeaderTo);
        Assert.Equal("-", plan.Steps[1].EquivalentCommand);
    }

    [Fact]
    public async Task ReplacingTheLeader_MovesLeadershipFirst_ToAHealthyFollower()
    {
        _cluster.Leader = _cluster["n2"].Id;

        var plan = await PlanAsync();

        Assert.NotNull(plan.MoveLeaderTo);
        Assert.NotEqual(_cluster["n2"].Id, plan.MoveLeaderTo);
        Assert.Contains($"move-leader {plan.MoveLeaderTo}", plan.Steps[1].EquivalentCommand, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AsAVoter_AddsWithoutLearner_AndHasNothingToPromote()
    {
        var plan = await PlanAsync(Request(asLearner: false));

        Assert.DoesNotContain("--learner", plan.Steps[5].EquivalentCommand, StringComparison.Ordinal);
        Assert.Equal("-", plan.Steps[9].EquivalentCommand);
    }

    [Fact]
    public async Task AnotherMemberDown_FailsNoOtherDown_ButQuorumStillHolds()
    {
        var cluster = new FakeEtcdCluster(5);
        cluster["n4"].Running = false;
        using var host = new FakeMemberHost(cluster, "n2");
        var observation = await new ConsistencyChecker(cluster).ObserveAsync(CancellationToken.None);
        var facts = new ReplacementFacts(observation, ManifestFacts.From(await host.LoadManifestAsync(), host.ManifestPath), [], cluster.Endpoints, host.Name, HostCommands.For(host), "/j");

        var plan = MemberReplacementPlanner.Plan(new MemberReplacementRequest { MemberName = "n2", Host = host }, facts, new MemberReplacementOptions());

        Assert.False(plan.IsReady);
        Assert.Equal("No other member is down", plan.FirstFailure!.Name);
        Assert.Contains("n4", plan.FirstFailure.Detail, StringComparison.Ordinal);
        Assert.True(Precondition(plan, "Quorum holds without the member").Passed);
    }

    [Fact]
    public async Task TwoOfThreeDown_QuorumDoesNotHold()
    {
        _cluster["n3"].Running = false;
        _cluster["n2"].Running = false;

        var plan = await PlanAsync();

        Assert.False(Precondition(plan, "Quorum holds without the member").Passed);
        Assert.False(Precondition(plan, "Good data survives without the member").Passed);
    }

    [Fact]
    public async Task TheMemberItselfDown_IsFine()
    {
        _cluster["n2"].Running = false;

        var plan = await PlanAsync();

        Assert.True(plan.IsReady, plan.FirstFailure?.Detail);
        Assert.True(plan.Consistency.Find(_cluster["n2"].Id)!.Has(ConsistencyIssue.Unreachable));
    }

    [Fact]
    public async Task OtherMembersDisagree_TheMemberMayHoldTheOnlyGoodCopy_Refused()
    {
        _cluster["n1"].Hash = 1;
        _cluster["n3"].Hash = 3;

        var plan = await PlanAsync();

        var failed = Precondition(plan, "Good data survives without the member");
        Assert.False(failed.Passed);
        Assert.Contains("only good copy", failed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOpenJournal_OrALearner_RefusesASecondReplacement()
    {
        _cluster.Members.Add(new FakeMember { Id = new MemberId(0x99), Name = "n4", PeerUrl = "http://10.0.0.4:2380", ClientUrl = "http://10.0.0.4:2379", IsLearner = true });

        var plan = await PlanAsync(change: f => f with { OpenJournals = [new OpenJournal("/j/member-replacement-n3-x.json", "n3", null)] });

        var failed = Precondition(plan, "No other change in progress");
        Assert.False(failed.Passed);
        Assert.Contains("n4 is a learner", failed.Detail, StringComparison.Ordinal);
        Assert.Contains("a replacement of n3 is journaled open at /j/member-replacement-n3-x.json", failed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AManifestOfAnotherMember_OrOtherPeerUrls_AreRefused()
    {
        var plan = await PlanAsync(change: f => f with { Manifest = f.Manifest with { Name = "n3", AdvertisePeerUrls = ["http://10.0.0.3:2380"] } });

        Assert.False(Precondition(plan, "Manifest is the member's").Passed);
        Assert.False(Precondition(plan, "Peer URLs match the manifest").Passed);
        Assert.Equal("Manifest is the member's", plan.FirstFailure!.Name);
    }

    [Fact]
    public async Task ADataDirOtherThanTheManifests_IsRefused()
    {
        var plan = await PlanAsync(Request() with { DataDirectory = "/somewhere/else" });

        Assert.False(Precondition(plan, "Data dir known").Passed);
    }

    [Fact]
    public async Task EndpointsOfTheMemberAlone_AreRefused_TheClientWouldLoseTheCluster()
    {
        var plan = await PlanAsync(change: f => f with { ConfiguredEndpoints = [EtcdEndpoint.Parse(_cluster["n2"].ClientUrl)] });

        Assert.False(Precondition(plan, "Endpoints reach the other members").Passed);
    }

    [Fact]
    public async Task AnUnknownName_ThrowsNamingTheMembers()
    {
        var error = await Assert.ThrowsAsync<EtcdSafetyCheckException>(() => PlanAsync(new MemberReplacementRequest { MemberName = "n9", Host = _host }));

        Assert.Contains("no member is named 'n9'", error.Message, StringComparison.Ordinal);
        Assert.Contains("n1, n2, n3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HostCommands_ShowTheKubeletAndLocalProcessWays()
    {
        var kubelet = HostCommands.For(new KubeletStaticPodHost("/etc/kubernetes/manifests/etcd.yaml", parkingDirectory: "/etc/kubernetes/parked"));
        var local = HostCommands.For(new LocalProcessEtcdHost("/srv/etcd/n1.yaml"));

        Assert.StartsWith("mkdir -p /etc/kubernetes/parked && mv /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/parked/etcd.yaml", kubelet.Stop, StringComparison.Ordinal);
        Assert.StartsWith("mv /etc/kubernetes/parked/etcd.yaml /etc/kubernetes/manifests/etcd.yaml", kubelet.Start, StringComparison.Ordinal);
        Assert.StartsWith("kill -TERM $(cat /srv/etcd/n1.yaml.pid)", local.Stop, StringComparison.Ordinal);
    }
}
