using EtcdMaintenance.Operations;
using EtcdMaintenance.Tests.Infrastructure;

namespace EtcdMaintenance.Tests.Operations;

/// <summary>Learners in space-recovery plans, and a rejoined member that needs a defragment where the options forbid it.</summary>
public sealed class LearnerAndRejoinedMemberTests : IDisposable
{
    private readonly FakeEtcdCluster _cluster = new();
    private readonly FakeMemberHost _host;
    private readonly FakeTimeProvider _time = new();

    public LearnerAndRejoinedMemberTests() => _host = new FakeMemberHost(_cluster, "n2");

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task LearnerNearItsQuota_IsSkippedWithAdvice_NotInSilence()
    {
        _cluster["n3"].IsLearner = true;

        // Every fake member reports 1,000,000 bytes: 91% of this quota.
        var plan = await new SpaceRecovery(_cluster, new SpaceRecoveryOptions { QuotaBackendBytes = 1_100_000 }, timeProvider: _time).PlanAsync();

        var learner = Assert.Single(plan.Members, m => m.Name == "n3");
        Assert.Equal(MemberPlanAction.SkipLearner, learner.Action);
        Assert.StartsWith("learner: etcd refuses to defragment a learner", learner.Reason, StringComparison.Ordinal);
        Assert.Contains("91% of its quota", learner.Reason, StringComparison.Ordinal);
        Assert.Contains($"etcdctl member promote {_cluster["n3"].Id}", learner.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(plan.Steps, s => s.EquivalentCommand.Contains(_cluster["n3"].ClientUrl, StringComparison.Ordinal) && s.EquivalentCommand.Contains("defrag", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LearnerFarFromItsQuota_IsSkippedWithTheReasonOnly()
    {
        _cluster["n3"].IsLearner = true;

        var plan = await new SpaceRecovery(_cluster, new SpaceRecoveryOptions { QuotaBackendBytes = 100_000_000 }, timeProvider: _time).PlanAsync();

        var learner = Assert.Single(plan.Members, m => m.Name == "n3");
        Assert.Equal(MemberPlanAction.SkipLearner, learner.Action);
        Assert.Equal("learner: etcd refuses to defragment a learner", learner.Reason);
    }

    [Fact]
    public async Task RejoinedMemberNeedingADefragment_WithDefragmentRejoinedMemberOff_StopsAtVerifyWithTheAdvice_AndDefragmentsNothing()
    {
        var options = new MemberReplacementOptions
        {
            JournalDirectory = Path.Combine(_host.Root, "journals"),
            PollInterval = TimeSpan.FromMilliseconds(200),
            MaxRetryDelay = TimeSpan.FromSeconds(2),
            DefragmentRejoinedMemberWhen = DefragCondition.Parse("dbSize >= 1KB"),   // every fake member reports 1,000,000 bytes
            DefragmentRejoinedMember = false,
        };
        var coordinator = new MemberReplacementCoordinator(_cluster, options, timeProvider: _time);
        var operation = await coordinator.StartAsync(new MemberReplacementRequest { MemberName = "n2", Host = _host, PeerUrls = [_cluster["n2"].PeerUrl] });

        // The fake cluster's DefragmentAsync throws NotSupportedException: a defragment would surface as that, not as this refusal.
        var failure = await Assert.ThrowsAsync<MemberReplacementException>(() => operation.WaitForCompletionAsync().AsTask());

        Assert.Equal(MemberReplacementStep.Verify, failure.Step);
        Assert.Contains("needs a defragment", failure.Message, StringComparison.Ordinal);
        Assert.Contains("the options do not allow it here", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"etcdctl --endpoints={_cluster["n2"].ClientUrl} --command-timeout=120s defrag", failure.Message, StringComparison.Ordinal);
        Assert.False(operation.HasCompleted);
        var journaled = await MemberReplacementJournal.ReadAsync(operation.JournalPath, CancellationToken.None);
        Assert.Equal(MemberReplacementStep.Verify, journaled.NextStep);
        Assert.Contains("needs a defragment", journaled.LastError, StringComparison.Ordinal);
    }
}
