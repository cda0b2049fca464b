using EtcdMaintenance.Monitoring;
using Microsoft.Extensions.Options;
using static EtcdMaintenance.Tests.Monitoring.Snapshots;

namespace EtcdMaintenance.Tests.Monitoring;

/// <summary>Each check of the diagnostics, its thresholds and its defaults, on synthetic snapshots.</summary>
public sealed class ClusterDiagnosticsTests
{
    private static readonly ClusterDiagnostics s_defaults = new();

    private static IReadOnlyList<DiagnosticFinding> Analyze(params ClusterSnapshot[] history) => s_defaults.Analyze(history);

    private static ClusterSnapshot WithMember(int index, EndpointStatus status) => Cluster(
        [.. Enumerable.Range(0, 3).Select(i => i == index ? Up(status) : Up(Status(i)))]);

    [Fact]
    public void AHealthyCluster_HasNoFindings()
    {
        Assert.Empty(Analyze(Healthy()));
    }

    [Fact]
    public void AMemberWithNeitherStatusNorError_OrBoth_IsRefused_NamingItsEndpoint()
    {
        var neither = Up(Status(1)) with { Status = null };
        var both = Up(Status(1)) with { Error = FakeStatusClient.Refused(Endpoint(1)) };

        var first = Assert.Throws<ArgumentException>(() => Analyze(Cluster(Up(Status(0)), neither, Up(Status(2)))));
        var second = Assert.Throws<ArgumentException>(() => Analyze(Cluster(Up(Status(0)), both, Up(Status(2)))));

        Assert.Contains($"{Endpoint(1).Text} has neither a status nor an error", first.Message, StringComparison.Ordinal);
        Assert.Contains($"{Endpoint(1).Text} has both a status and an error", second.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARecordedMemberId_GivesWayToTheStatussOwn()
    {
        var member = Up(Status(1)) with { MemberId = Id(2) };

        Assert.Equal(Id(1), member.MemberId);
        Assert.Equal(Id(2), (member with { Status = null, Error = FakeStatusClient.Refused(Endpoint(1)) }).MemberId);
    }

    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var options = new DiagnosticsOptions();

        Assert.Equal(0.8, options.QuotaWarningRatio);
        Assert.Equal(0.9, options.QuotaErrorRatio);
        Assert.Equal(0.45, options.FragmentationRatio);
        Assert.Equal(100 * MiB, options.FragmentationMinimumDbSize);
        Assert.Equal(200 * MiB, options.FragmentedBytesThreshold);
        Assert.Equal(1.0, options.DbSizeDivergenceRatio);
        Assert.Equal(100 * MiB, options.DbSizeDivergenceMinimumBytes);
        Assert.Equal(5000UL, options.RaftIndexLagThreshold);
        Assert.Equal(1000UL, options.ApplyLagThreshold);
        Assert.Equal(4, options.LeaderChangesThreshold);
        Assert.Equal(TimeSpan.FromMinutes(15), options.LeaderChangesWindow);
        Assert.Equal(0.9, options.LearnerReadyRatio);
        Assert.Equal(TimeSpan.FromHours(24), options.ForecastWarningHorizon);
    }

    [Theory]
    [InlineData(79, null)]
    [InlineData(80, FindingSeverity.Warning)]
    [InlineData(89, FindingSeverity.Warning)]
    [InlineData(90, FindingSeverity.Error)]
    [InlineData(101, FindingSeverity.Error)]
    public void QuotaUsage_WarnsAt80Percent_AndIsAnErrorAt90(int percent, FindingSeverity? expected)
    {
        var findings = Analyze(WithMember(1, Status(1, dbSize: percent * MiB, inUse: percent * MiB, quota: 100 * MiB)));

        var quota = findings.OfType<QuotaUsageFinding>().SingleOrDefault();
        Assert.Equal(expected, quota?.Severity);
        if (quota is not null)
        {
            Assert.Equal(Endpoint(1).Text, quota.Endpoint);
            Assert.Equal(Id(1), quota.MemberId);
            Assert.Equal(percent / 100.0, quota.Usage, precision: 6);
            Assert.Equal(MaintenanceOperation.RecoverSpace, quota.Recommendation.Operation);
            Assert.Contains($"{percent}%", quota.Summary, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void QuotaUsage_IsNotJudged_WhenTheQuotaIsUnknown()
    {
        Assert.Empty(Analyze(WithMember(1, Status(1, dbSize: 99 * MiB, inUse: 99 * MiB, quota: null))));
    }

    [Theory]
    [InlineData(99, 50, false)]      // 50% free but under OpenShift's 100 MiB floor
    [InlineData(100, 50, true)]      // 50% free at 100 MiB: OpenShift would defragment
    [InlineData(1000, 44, false)]    // 44% free (440 MiB): under 45%, and under the 500 MiB free-bytes rule set for this case
    [InlineData(400, 40, false)]     // 160 MiB free: under both rules
    [InlineData(600, 40, true)]      // 240 MiB free: etcd-defrag's dbSize - dbSizeInUse > 200 MiB
    public void Fragmentation_FollowsOpenShiftsRatioWithItsFloor_OrEtcdDefragsFreeBytes(int sizeMiB, int freePercent, bool expected)
    {
        var size = sizeMiB * MiB;
        var inUse = size - (size * freePercent / 100);
        var options = new DiagnosticsOptions { FragmentedBytesThreshold = sizeMiB == 1000 ? 500 * MiB : 200 * MiB };

        var findings = new ClusterDiagnostics(options).Analyze(WithMember(2, Status(2, dbSize: size, inUse: inUse, quota: null)));

        var fragmentation = findings.OfType<FragmentationFinding>().Where(f => f.Endpoint == Endpoint(2).Text).SingleOrDefault();
        Assert.Equal(expected, fragmentation is not null);
        if (fragmentation is not null)
        {
            Assert.Equal(MaintenanceOperation.Defragment, fragmentation.Recommendation.Operation);
            Assert.Equal($"etcdctl --endpoints={Endpoint(2).Text} defrag", fragmentation.Recommendation.Command);
            Assert.Equal(size - inUse, fragmentation.FragmentedBytes);
        }
    }

    [Fact]
    public void AFollowerWhoseFileGrewFarBeyondTheOthers_Diverges_AndShouldBeDefragmented()
    {
        // The incident: the follower's file is 3x the leader's while the data (in use) is the same.
        var findings = Analyze(Cluster(
            Up(Status(0, dbSize: 300 * MiB, inUse: 250 * MiB, quota: null)),
            Up(Status(1, dbSize: 300 * MiB, inUse: 250 * MiB, quota: null)),
            Up(Status(2, dbSize: 900 * MiB, inUse: 250 * MiB, quota: null))));

        var divergence = Assert.Single(findings.OfType<DbSizeDivergenceFinding>());
        Assert.Equal(Endpoint(2).Text, divergence.Endpoint);
        Assert.False(divergence.InUseDiverges);
        Assert.Equal(300 * MiB, divergence.ReferenceDbSize);
        Assert.Equal(MaintenanceOperation.Defragment, divergence.Recommendation.Operation);
        Assert.Contains("3.0x", divergence.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void AMemberHoldingMoreData_Diverges_AndCallsForAConsistencyCheck()
    {
        var findings = Analyze(Cluster(
            Up(Status(0, dbSize: 500 * MiB, inUse: 200 * MiB, quota: null)),
            Up(Status(1, dbSize: 500 * MiB, inUse: 200 * MiB, quota: null)),
            Up(Status(2, dbSize: 500 * MiB, inUse: 450 * MiB, quota: null))));

        var divergence = Assert.Single(findings.OfType<DbSizeDivergenceFinding>());
        Assert.True(divergence.InUseDiverges);
        Assert.Equal(MaintenanceOperation.CheckConsistency, divergence.Recommendation.Operation);
    }

    [Fact]
    public void DbSizeDivergence_NeedsBothTheRatioAndTheMinimumDifference()
    {
        // 2.5x but only 60 MiB apart: under the 100 MiB floor by default, over a 50 MiB floor.
        var snapshot = Cluster(Up(Status(0, dbSize: 40 * MiB, inUse: null)), Up(Status(1, dbSize: 40 * MiB, inUse: null)), Up(Status(2, dbSize: 100 * MiB, inUse: null)));

        Assert.Empty(Analyze(snapshot).OfType<DbSizeDivergenceFinding>());
        Assert.Single(new ClusterDiagnostics(new DiagnosticsOptions { DbSizeDivergenceMinimumBytes = 50 * MiB }).Analyze(snapshot).OfType<DbSizeDivergenceFinding>());
    }

    [Theory]
    [InlineData(4999UL, false)]
    [InlineData(5000UL, true)]
    public void RaftIndexLag_BehindTheLeader_At5000Entries(ulong behind, bool expected)
    {
        var findings = Analyze(Cluster(Up(Status(0, raftIndex: 20000, applied: 20000)), Up(Status(1, raftIndex: 20000, applied: 20000)),
            Up(Status(2, raftIndex: 20000 - behind, applied: 20000 - behind))));

        var lag = findings.OfType<RaftLagFinding>().SingleOrDefault(f => f.Kind == FindingKind.RaftIndexLag);
        Assert.Equal(expected, lag is not null);
        if (lag is not null)
        {
            Assert.Equal(behind, lag.Lag);
            Assert.Equal(20000UL, lag.ReferenceIndex);
            Assert.Equal(Endpoint(2).Text, lag.Endpoint);
        }
    }

    [Theory]
    [InlineData(999UL, null)]
    [InlineData(1000UL, FindingSeverity.Warning)]
    [InlineData(5000UL, FindingSeverity.Error)]
    public void ApplyLag_WarnsAt1000_AndIsAnErrorAtEtcdsOwnLimitOf5000(ulong gap, FindingSeverity? expected)
    {
        var findings = Analyze(WithMember(1, Status(1, raftIndex: 10000, applied: 10000 - gap)));

        Assert.Equal(expected, findings.OfType<RaftLagFinding>().SingleOrDefault(f => f.Kind == FindingKind.ApplyLag)?.Severity);
    }

    [Fact]
    public void NoMemberKnowingALeader_IsAnErrorAboutTheCluster()
    {
        var findings = Analyze(Cluster(Up(Status(0, leader: -1)), Up(Status(1, leader: -1)), Down(2)));

        var noLeader = Assert.Single(findings.OfType<LeaderFinding>());
        Assert.Equal(FindingKind.NoLeader, noLeader.Kind);
        Assert.Equal(FindingSeverity.Error, noLeader.Severity);
        Assert.Null(noLeader.Endpoint);
        Assert.Equal(2, noLeader.LeaderByEndpoint.Count);
    }

    [Fact]
    public void OneMemberWithoutALeader_AndMembersNamingDifferentLeaders_AreWarnings()
    {
        var findings = Analyze(Cluster(Up(Status(0, leader: 0)), Up(Status(1, leader: 1)), Up(Status(2, leader: -1))));

        Assert.Contains(findings, f => f is LeaderFinding { Kind: FindingKind.NoLeader, Severity: FindingSeverity.Warning } l && l.Endpoint == Endpoint(2).Text);
        Assert.Contains(findings, f => f is LeaderFinding { Kind: FindingKind.LeaderDisagreement, Severity: FindingSeverity.Warning });
    }

    [Fact]
    public void FourLeaderChangesWithinFifteenMinutes_AreFrequent_ButNotWhenSpreadWider()
    {
        ClusterSnapshot At(double minutes, long changes) => Healthy(minutes) with { LeaderChanges = changes };

        var within = Analyze(At(0, 10), At(5, 12), At(10, 13), At(14, 14));
        var spread = Analyze(At(0, 10), At(10, 12), At(20, 14));
        var three = Analyze(At(0, 10), At(14, 13));

        var frequent = Assert.Single(within.OfType<LeaderChangesFinding>());
        Assert.Equal(4, frequent.Changes);
        Assert.Equal(TimeSpan.FromMinutes(14), frequent.Window);
        Assert.Empty(spread.OfType<LeaderChangesFinding>());
        Assert.Empty(three.OfType<LeaderChangesFinding>());
    }

    [Fact]
    public void AnUnreachableMember_IsAnError_WithTheFirstRoundItWasDownInARow()
    {
        ClusterSnapshot[] history =
        [
            Healthy(0),
            At(1, Up(Status(0)), Up(Status(1)), Down(2)),
            At(2, Up(Status(0)), Up(Status(1)), Down(2)),
            At(3, Up(Status(0)), Up(Status(1)), Down(2)),
        ];

        var down = Assert.Single(Analyze(history).OfType<MemberUnreachableFinding>());

        Assert.Equal(FindingSeverity.Error, down.Severity);
        Assert.Equal(Id(2), down.MemberId);
        Assert.Equal(T0 + TimeSpan.FromMinutes(1), down.DownSince);
        Assert.Equal(EtcdErrorCode.EndpointUnavailable, down.ErrorCode);
        Assert.Equal(MaintenanceOperation.RestoreMember, down.Recommendation.Operation);
    }

    [Fact]
    public void AlarmsFromTheStatusErrors_AreErrors_WithTheRecoveryToRun()
    {
        var errors = new[] { $"memberID:{Id(1).Value} alarm:NOSPACE ", $"memberID:{Id(2).Value} alarm:CORRUPT " };
        var snapshot = At(0, Up(Status(0, errors: errors)), Up(Status(1, errors: errors)), Up(Status(2, errors: errors)));

        var findings = Analyze(snapshot);

        var noSpace = Assert.Single(findings.OfType<AlarmFinding>(), f => f.Kind == FindingKind.NoSpaceAlarm);
        Assert.Equal(Endpoint(1).Text, noSpace.Endpoint);
        Assert.Equal(MaintenanceOperation.RecoverSpace, noSpace.Recommendation.Operation);
        Assert.Contains("alarm disarm", noSpace.Recommendation.Command, StringComparison.Ordinal);
        var corrupt = Assert.Single(findings.OfType<AlarmFinding>(), f => f.Kind == FindingKind.CorruptAlarm);
        Assert.Equal(MaintenanceOperation.CheckConsistency, corrupt.Recommendation.Operation);
        Assert.All(findings.OfType<AlarmFinding>(), f => Assert.Equal(FindingSeverity.Error, f.Severity));
    }

    [Fact]
    public void ALearner_IsReportedAfterTheGrace_ReadyToPromoteOnceAt90PercentOfTheLeadersLog()
    {
        ClusterSnapshot At(double minutes, ulong learnerIndex) => Snapshots.At(minutes, Up(Status(0, raftIndex: 10000, applied: 10000)),
            Up(Status(1, raftIndex: 10000, applied: 10000)), Up(Status(2, raftIndex: learnerIndex, applied: learnerIndex, learner: true)));

        var early = Analyze(At(0, 9500), At(9, 9500));
        var ready = Analyze(At(0, 9500), At(5, 9500), At(11, 9500));
        var behind = Analyze(At(0, 100), At(11, 8000));

        Assert.Empty(early.OfType<LearnerNotPromotedFinding>());
        var promote = Assert.Single(ready.OfType<LearnerNotPromotedFinding>());
        Assert.True(promote.ReadyToPromote);
        Assert.Equal(TimeSpan.FromMinutes(11), promote.LearnerFor);
        Assert.Equal(MaintenanceOperation.PromoteLearner, promote.Recommendation.Operation);
        Assert.Equal($"etcdctl member promote {Id(2)}", promote.Recommendation.Command);
        Assert.False(Assert.Single(behind.OfType<LearnerNotPromotedFinding>()).ReadyToPromote);
    }

    [Fact]
    public void AGrowingDatabase_IsForecastToReachItsQuota_WarningWithinADay_ErrorWithinAnHour()
    {
        // 2 MiB per hour from 50 MiB towards a 100 MiB quota, sampled every 5 minutes for an hour: 23 hours left.
        ClusterSnapshot At(int step, long mibPerHour) =>
            Snapshots.At(step * 5, Up(Status(0, dbSize: (50 * MiB) + (step * mibPerHour * MiB / 12), inUse: null)), Up(Status(1)), Up(Status(2)));

        var slow = Analyze([.. Enumerable.Range(0, 13).Select(i => At(i, 2))]);
        var fast = Analyze([.. Enumerable.Range(0, 13).Select(i => At(i, 40))]);
        var slower = Analyze([.. Enumerable.Range(0, 13).Select(i => At(i, 1))]);

        var warning = Assert.Single(slow.OfType<QuotaForecastFinding>());
        Assert.Equal(FindingSeverity.Warning, warning.Severity);
        Assert.Equal(Endpoint(0).Text, warning.Endpoint);
        Assert.Equal(24.0, warning.TimeToQuota.TotalHours, precision: 1);
        Assert.Contains("reaches its quota in ~24 hours", warning.Summary, StringComparison.Ordinal);
        Assert.Equal(FindingSeverity.Error, Assert.Single(fast.OfType<QuotaForecastFinding>()).Severity);
        Assert.Empty(slower.OfType<QuotaForecastFinding>());
    }

    [Fact]
    public void Findings_AreOrderedMostSevereFirst()
    {
        var findings = Analyze(Cluster(Up(Status(0, dbSize: 85 * MiB, inUse: 85 * MiB)), Up(Status(1)), Down(2)));

        Assert.Equal([FindingSeverity.Error, FindingSeverity.Warning], findings.Select(f => f.Severity));
        Assert.IsType<MemberUnreachableFinding>(findings[0]);
    }

    [Fact]
    public void InvalidOptions_AreRefused_WithEveryProblemNamed()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new ClusterDiagnostics(new DiagnosticsOptions
        {
            QuotaWarningRatio = 0.95,
            QuotaErrorRatio = 0.9,
            FragmentationRatio = 1.5,
            ForecastMinimumSamples = 1,
            ForecastErrorHorizon = TimeSpan.FromDays(2),
        }));

        Assert.Contains(error.Failures, f => f.StartsWith("QuotaErrorRatio", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("FragmentationRatio", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("ForecastMinimumSamples", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("ForecastErrorHorizon", StringComparison.Ordinal));
    }

    [Fact]
    public void AlarmText_ReadsEtcdsStatusErrors_AndIgnoresOthers()
    {
        Assert.True(AlarmText.TryParse("memberID:13668033151171901709 alarm:NOSPACE ", out var alarm));
        Assert.Equal(new EtcdAlarm(13668033151171901709, EtcdAlarmType.NoSpace), alarm);
        Assert.False(AlarmText.TryParse("etcdserver: no leader", out _));
        Assert.False(AlarmText.TryParse("memberID:12 alarm:SOMETHINGNEW", out _));
        Assert.False(AlarmText.TryParse("memberID:x alarm:NOSPACE", out _));
    }
}
