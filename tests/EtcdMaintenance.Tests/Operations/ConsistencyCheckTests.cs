using EtcdMaintenance.Operations;
using EtcdMaintenance.Tests.Infrastructure;

namespace EtcdMaintenance.Tests.Operations;

public sealed class ConsistencyCheckTests
{
    private const ulong Cluster = 0xc1u;

    private static EtcdMember Member(int i, bool learner = false, bool started = true) =>
        new(new MemberId((ulong)i), started ? $"n{i}" : string.Empty, [$"http://10.0.0.{i}:2380"], started ? [$"http://10.0.0.{i}:2379"] : [], learner);

    private static MemberProbe Probe(EtcdMember member, ulong applied = 100, ulong clusterId = Cluster, long dbInUse = 1_000_000, bool healthy = true, MemberId? answersAs = null, bool reachable = true)
    {
        var endpoint = EtcdEndpoint.Parse($"http://10.0.0.{member.Id.Value}:2379");
        if (!reachable)
        {
            return new MemberProbe(member, endpoint, null, FakeEtcdCluster.Unavailable(endpoint.Text, "Maintenance.Status"), null, null);
        }

        var id = answersAs ?? member.Id;
        var status = new EndpointStatus(endpoint.Text, id, "3.4.23", dbInUse + 100_000, new MemberId(1), applied, 2, applied)
        {
            Header = new ResponseHeader(clusterId, id, 50, 2),
            DbSizeInUse = dbInUse,
            IsLearner = member.IsLearner,
        };
        var same = clusterId == Cluster && id == member.Id;
        return new MemberProbe(member, endpoint, status, null, same && !member.IsLearner ? healthy : null, healthy ? null : "no leader");
    }

    private static HashOutcome Hashes(params (int Member, uint Hash, long Compact)[] hashes) => new(
        50,
        hashes.ToDictionary(h => new MemberId((ulong)h.Member), h => new HashKvResult(EtcdEndpoint.Parse($"http://10.0.0.{h.Member}:2379"), new ResponseHeader(Cluster, new MemberId((ulong)h.Member), 50, 2), h.Hash, h.Compact, 50)),
        new Dictionary<MemberId, EtcdException>(),
        1);

    private static ConsistencyReport Judge(IReadOnlyList<MemberProbe> probes, HashOutcome hashes, ConsistencyCheckOptions? options = null, IReadOnlyList<EtcdAlarm>? alarms = null) =>
        ConsistencyChecker.Judge(Cluster, [.. probes.Select(p => p.Member)], probes, hashes, alarms ?? [], options ?? new ConsistencyCheckOptions());

    [Fact]
    public void EqualHashes_HealthyMembers_AreConsistent()
    {
        var report = Judge([Probe(Member(1)), Probe(Member(2)), Probe(Member(3))], Hashes((1, 7, 0), (2, 7, 0), (3, 7, 0)));

        Assert.True(report.IsConsistent);
        Assert.Equal(7u, report.MajorityHash);
        Assert.Empty(report.RecommendedReplacements);
    }

    [Fact]
    public void HashDifferingFromTheMajority_IsTheOnlyMemberRecommendedForReplacement()
    {
        var report = Judge([Probe(Member(1)), Probe(Member(2)), Probe(Member(3))], Hashes((1, 7, 0), (2, 9, 0), (3, 7, 0)));

        var suspect = Assert.Single(report.Suspects);
        Assert.Equal("n2", suspect.Name);
        Assert.True(suspect.Has(ConsistencyIssue.HashDiffers));
        Assert.Equal([suspect], report.RecommendedReplacements);
    }

    [Fact]
    public void NoHashSharedByAMajority_RecommendsNoReplacement_AndSaysWhy()
    {
        var report = Judge([Probe(Member(1)), Probe(Member(2)), Probe(Member(3))], Hashes((1, 7, 0), (2, 8, 0), (3, 9, 0)));

        Assert.Null(report.MajorityHash);
        Assert.Empty(report.RecommendedReplacements);
        Assert.Contains(report.Notes, n => n.Contains("No hash is shared by a majority", StringComparison.Ordinal));
    }

    [Fact]
    public void TwoEqualHashesOfFive_AreNotAMajority()
    {
        var members = Enumerable.Range(1, 5).Select(i => Probe(Member(i))).ToList();

        var report = Judge(members, Hashes((1, 7, 0), (2, 7, 0), (3, 8, 0), (4, 9, 0), (5, 10, 0)));

        Assert.Null(report.MajorityHash);
        Assert.Empty(report.RecommendedReplacements);
    }

    [Fact]
    public void MemberAnsweringForAnotherCluster_IsForeignData_AndRecommended()
    {
        var report = Judge([Probe(Member(1)), Probe(Member(2), clusterId: 0xbad, answersAs: new MemberId(0x77)), Probe(Member(3))], Hashes((1, 7, 0), (3, 7, 0)));

        var suspect = Assert.Single(report.Suspects);
        Assert.True(suspect.Has(ConsistencyIssue.ForeignData));
        Assert.Contains("cluster bad", suspect.Findings[0].Message, StringComparison.Ordinal);
        Assert.True(suspect.ReplacementRecommended);
        Assert.Null(suspect.Status);
    }

    [Fact]
    public void UnreachableOrNotStartedOrUnhealthy_AreFlaggedButNotRecommended()
    {
        var report = Judge(
            [Probe(Member(1)), Probe(Member(2), reachable: false), Probe(Member(3), healthy: false), new MemberProbe(Member(4, started: false), null, null, null, null, null), Probe(Member(5))],
            Hashes((1, 7, 0), (3, 7, 0), (5, 7, 0)));

        Assert.True(report.Find(new MemberId(2))!.Has(ConsistencyIssue.Unreachable));
        Assert.True(report.Find(new MemberId(3))!.Has(ConsistencyIssue.Unhealthy));
        Assert.True(report.Find(new MemberId(4))!.Has(ConsistencyIssue.NotStarted));
        Assert.Empty(report.RecommendedReplacements);
        Assert.Equal(7u, report.MajorityHash);
    }

    [Fact]
    public void AppliedIndexFarBehindTheLeader_IsLag()
    {
        var report = Judge([Probe(Member(1), applied: 5000), Probe(Member(2), applied: 3000), Probe(Member(3), applied: 4990)], Hashes((1, 7, 0), (2, 7, 0), (3, 7, 0)),
            new ConsistencyCheckOptions { AppliedIndexLagThreshold = 1000 });

        Assert.True(report.Find(new MemberId(2))!.Has(ConsistencyIssue.AppliedIndexLag));
        Assert.False(report.Find(new MemberId(3))!.IsSuspect);
    }

    [Fact]
    public void DatabaseMuchLargerThanTheOthers_IsDivergent_SmallDifferencesAreNot()
    {
        var mib = 1024L * 1024;
        var report = Judge([Probe(Member(1), dbInUse: 100 * mib), Probe(Member(2), dbInUse: 400 * mib), Probe(Member(3), dbInUse: 110 * mib)], Hashes((1, 7, 0), (2, 7, 0), (3, 7, 0)));

        Assert.True(report.Find(new MemberId(2))!.Has(ConsistencyIssue.DbSizeDivergent));
        Assert.False(report.Find(new MemberId(3))!.IsSuspect);
        Assert.False(report.Find(new MemberId(2))!.ReplacementRecommended);
    }

    [Fact]
    public void JustCompactedMember_WithALowerSizeInUseButTheSameFile_IsNotDivergent()
    {
        var mib = 1024L * 1024;
        static MemberProbe Sized(MemberProbe probe, long file) => probe with { Status = probe.Status! with { DbSize = file } };
        var report = Judge(
            [Sized(Probe(Member(1), dbInUse: 2 * mib), 40 * mib), Sized(Probe(Member(2), dbInUse: 38 * mib), 40 * mib), Sized(Probe(Member(3), dbInUse: 38 * mib), 40 * mib)],
            Hashes((1, 7, 0), (2, 7, 0), (3, 7, 0)));

        Assert.True(report.IsConsistent, string.Join("; ", report.Suspects.SelectMany(s => s.Findings)));
    }

    [Fact]
    public void DifferentCompactedRevision_MakesTheHashIncomparable_NotDifferent()
    {
        var report = Judge([Probe(Member(1)), Probe(Member(2)), Probe(Member(3))], Hashes((1, 7, 10), (2, 99, 20), (3, 7, 10)));

        var suspect = Assert.Single(report.Suspects);
        Assert.True(suspect.Has(ConsistencyIssue.HashUnavailable));
        Assert.False(suspect.ReplacementRecommended);
    }

    [Fact]
    public void LearnersAreNeitherHashedNorHealthChecked()
    {
        var report = Judge([Probe(Member(1)), Probe(Member(2)), Probe(Member(3)), Probe(Member(4, learner: true))], Hashes((1, 7, 0), (2, 7, 0), (3, 7, 0)));

        Assert.True(report.IsConsistent);
        Assert.Null(report.Find(new MemberId(4))!.Hash);
    }

    [Fact]
    public void CorruptAlarm_IsReportedOnTheMemberItNames()
    {
        var report = Judge([Probe(Member(1)), Probe(Member(2)), Probe(Member(3))], Hashes((1, 7, 0), (2, 7, 0), (3, 7, 0)), alarms: [new EtcdAlarm(new MemberId(3), EtcdAlarmType.Corrupt)]);

        Assert.True(Assert.Single(report.Suspects).Has(ConsistencyIssue.CorruptAlarm));
    }

    [Fact]
    public async Task Check_HashesAgainWhenACompactionMovesUnderIt()
    {
        var cluster = new CompactingCluster();

        var report = await new ConsistencyChecker(cluster, new ConsistencyCheckOptions { RetryDelay = TimeSpan.Zero }).CheckAsync();

        Assert.True(report.IsConsistent, string.Join("; ", report.Suspects.SelectMany(s => s.Findings)));
        Assert.Equal(2, report.HashAttempts);
    }

    [Fact]
    public async Task Check_RefusesAMemberListFromAnotherCluster()
    {
        var cluster = new FakeEtcdCluster();
        cluster["n1"].ForeignClusterId = 0xbad;
        var foreignFirst = new ForeignListCluster(cluster);

        var error = await Assert.ThrowsAsync<EtcdSafetyCheckException>(() => new ConsistencyChecker(foreignFirst).CheckAsync());

        Assert.Contains("another cluster", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The first HashKV of n2 fails as if a compaction had just moved past the revision asked for.</summary>
    private sealed class CompactingCluster() : FakeClient(new FakeEtcdCluster())
    {
        private int _failures = 1;

        public override Task<HashKvResult> HashKvAsync(EtcdEndpoint endpoint, long revision = 0, CancellationToken cancellationToken = default) =>
            endpoint.Text.Contains("10.0.0.2", StringComparison.Ordinal) && Interlocked.Decrement(ref _failures) >= 0
                ? throw new EtcdRevisionException("compacted", endpoint.Text, "Maintenance.HashKV", EtcdErrorCode.RevisionCompacted, "etcdserver: mvcc: required revision has been compacted")
                : base.HashKvAsync(endpoint, revision, cancellationToken);
    }

    /// <summary>The member list comes from n1, which serves another cluster's data.</summary>
    private sealed class ForeignListCluster(FakeEtcdCluster inner) : FakeClient(inner)
    {
        public override async Task<EtcdMemberList> ListMembersAsync(CancellationToken cancellationToken = default)
        {
            var list = await base.ListMembersAsync(cancellationToken);
            return list with { Header = list.Header with { ClusterId = 0xbad } };
        }
    }
}
