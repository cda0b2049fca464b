using EtcdMaintenance.Operations;
using EtcdMaintenance.Tests.Infrastructure;

namespace EtcdMaintenance.Tests.Operations;

/// <summary>A space recovery runs the plan the caller saw, and refuses it before any change when the cluster changed since.</summary>
public sealed class SpaceRecoveryPlanRunTests
{
    private readonly FakeEtcdCluster _cluster = new();
    private readonly FakeTimeProvider _time = new();

    // The fake cluster's CompactAsync and DefragmentAsync throw NotSupportedException: a refusal that surfaces as
    // EtcdSafetyCheckException came before any change.
    [Fact]
    public async Task PlanRunAfterTheLeaderMoved_IsRefusedBeforeAnyChange_NamingWhatChanged()
    {
        var recovery = new SpaceRecovery(_cluster, new SpaceRecoveryOptions { QuotaBackendBytes = 100_000_000 }, timeProvider: _time);
        var plan = await recovery.PlanAsync();
        Assert.True(plan.Members[^1].IsLeader);
        _cluster.Leader = _cluster["n2"].Id;

        var refused = await Assert.ThrowsAsync<EtcdSafetyCheckException>(() => recovery.ExecuteAsync(plan));

        Assert.Contains("the cluster changed since the plan", refused.Message, StringComparison.Ordinal);
        Assert.Contains("the leader was n1, it is n2", refused.Message, StringComparison.Ordinal);
        Assert.Contains("plan again", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlanRunAfterAMemberBecameALearner_IsRefusedBeforeAnyChange()
    {
        var recovery = new SpaceRecovery(_cluster, new SpaceRecoveryOptions { QuotaBackendBytes = 100_000_000 }, timeProvider: _time);
        var plan = await recovery.PlanAsync();
        _cluster["n3"].IsLearner = true;

        var refused = await Assert.ThrowsAsync<EtcdSafetyCheckException>(() => recovery.ExecuteAsync(plan));

        Assert.Contains("n3 is now a learner", refused.Message, StringComparison.Ordinal);
    }
}
