using static EtcdMaintenance.EtcdMaintenanceModelFactory;

namespace EtcdMaintenance.Tests.Client;

/// <summary>Results built by <see cref="EtcdMaintenanceModelFactory"/> derive their computed values as the client's do.</summary>
public sealed class ModelFactoryTests
{
    private static readonly EtcdEndpoint[] Endpoints = [EtcdEndpoint.Parse("https://10.0.0.1:2379"), EtcdEndpoint.Parse("https://10.0.0.2:2379")];

    [Fact]
    public void ClusterStatus_FromFactoryStatuses_FindsTheLeaderTheMaxRevisionAndTheUnreachable()
    {
        var leader = new MemberId(0x1);
        var cluster = ClusterStatus(
            EndpointStatusResult(Endpoints[0], EndpointStatus("https://10.0.0.1:2379", leader, leader, dbSize: 800, dbSizeInUse: 200, dbSizeQuota: 1000, revision: 42, raftIndex: 10, raftAppliedIndex: 7)),
            EndpointStatusResult(Endpoints[1], new EtcdUnavailableException("10.0.0.2:2379 did not answer")));

        var status = Assert.Single(cluster.Reachable);
        Assert.Same(status, cluster.Leader);
        Assert.True(status.IsLeader);
        Assert.Equal(42, cluster.MaxRevision);
        Assert.Equal(600, status.FragmentedBytes);
        Assert.Equal(0.8, status.QuotaUsage);
        Assert.Equal(3UL, status.ApplyLag);
        Assert.Equal(EtcdQuotaSource.StatusResponse, status.QuotaSource);
        Assert.Equal(Endpoints[1], Assert.Single(cluster.Unreachable).Endpoint);
        Assert.False(cluster.Endpoints[1].Succeeded);
    }

    [Fact]
    public void EndpointStatus_WithAQuotaFromMetrics_KeepsTheSourceGiven_AndAFollowerIsNotTheLeader()
    {
        var status = EndpointStatus("https://10.0.0.2:2379", new MemberId(0x2), leader: new MemberId(0x1), dbSizeQuota: 2048, quotaSource: EtcdQuotaSource.Metrics);

        Assert.Equal(EtcdQuotaSource.Metrics, status.QuotaSource);
        Assert.False(status.IsLeader);
        Assert.Equal(0UL, status.ApplyLag);
    }

    [Fact]
    public void MemberList_AndHealth_CarryWhatWasGiven()
    {
        var list = EtcdMemberList([EtcdMember(new MemberId(0x1), "etcd-a", ["https://10.0.0.1:2380"]), EtcdMember(new MemberId(0x2), "", isLearner: true)]);
        var unhealthy = EndpointHealth(Endpoints[0], isHealthy: false, alarms: [EtcdAlarm(new MemberId(0x1), EtcdAlarmType.NoSpace)]);

        Assert.Equal("etcd-a", list.Find(new MemberId(0x1))!.Name);
        Assert.False(list.Find(new MemberId(0x2))!.IsStarted);
        Assert.Single(list.Voters);
        Assert.True(unhealthy.AnswersReads);
        Assert.False(EndpointHealth(Endpoints[0], isHealthy: false, error: "no leader").AnswersReads);
        Assert.True(CompactionResult(10, alreadyCompacted: true).AlreadyCompacted);
    }
}
