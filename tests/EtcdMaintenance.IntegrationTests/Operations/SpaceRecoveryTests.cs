using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Operations;

namespace EtcdMaintenance.IntegrationTests.Operations;

/// <summary>Space recovery on real 3-member clusters with a 16 MiB quota, filled until NOSPACE.</summary>
public sealed class SpaceRecoveryTests
{
    private const long Quota = 16 * 1024 * 1024;

    private static async Task<(EtcdTestCluster Cluster, EtcdMaintenanceClient Client, IReadOnlyDictionary<string, byte[]> Keyspace)> FilledClusterAsync()
    {
        var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 3, QuotaBackendBytes = Quota });
        var client = cluster.CreateClient();
        await client.PutAsync("/app/config", "keep me"u8.ToArray());
        var (_, error) = await cluster.FillToNoSpaceAsync(client, "/app/blob/", distinctKeys: 4);
        Assert.IsType<EtcdNoSpaceException>(error);
        for (var i = 0; i < cluster.Members.Count; i++)
        {
            // A refused write through each member raises NOSPACE for each, as in the field.
            await Assert.ThrowsAsync<EtcdNoSpaceException>(() => client.PutAsync("/app/more", new byte[900 * 1024], cluster.Endpoint(i)));
        }

        // A member raises NOSPACE when a write it handles would cross its own quota; which members do depends on their sizes.
        await Retry.UntilAsync(async () => (await client.GetAlarmsAsync()).Any(a => a.Type == EtcdAlarmType.NoSpace), "a NOSPACE alarm");
        return (cluster, client, await client.GetPrefixAsync("/"));
    }

    private static void AssertSameKeyspace(IReadOnlyDictionary<string, byte[]> expected, IReadOnlyDictionary<string, byte[]> actual)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, value) in expected)
        {
            Assert.True(value.AsSpan().SequenceEqual(actual[key]), $"{key} changed");
        }
    }

    [Fact]
    public async Task Recovery_FromNoSpace_DisarmsWritesWorkNothingLost_LeaderLast()
    {
        var (cluster, client, keyspace) = await FilledClusterAsync();
        await using var _ = cluster;
        await using var __ = client;
        var leaderBefore = (await client.GetClusterStatusAsync()).Leader!.MemberId;
        var progress = new SyncProgress<SpaceRecoveryProgress>();

        var recovery = new SpaceRecovery(client);
        var plan = await recovery.PlanAsync();
        var report = await recovery.ExecuteAsync(plan, progress);

        // The run is the plan the caller saw: its compaction revision, its members in its order (leader last).
        Assert.Equal(plan.CompactRevision, report.CompactedRevision);
        Assert.Equal(plan.Members.Select(m => m.Id), report.Members.Select(m => m.Id));

        // No quota was configured anywhere: each member's own, read from its metrics before 3.6, let NOSPACE be disarmed.
        Assert.Null(client.Settings.QuotaBackendBytes);
        Assert.All((await client.GetClusterStatusAsync()).Reachable, s =>
            Assert.Equal((Quota, EtcdBinaries.IsEtcd34 || EtcdBinaries.EtcdVersion < new Version(3, 6) ? EtcdQuotaSource.Metrics : EtcdQuotaSource.StatusResponse), (s.DbSizeQuota, s.QuotaSource)));
        Assert.True(report.Succeeded, report.FailureReason);
        Assert.Empty(await client.GetAlarmsAsync());
        Assert.True((await client.ProbeWriteAsync()).Revision > 0);
        await client.PutAsync("/app/after", "works"u8.ToArray());
        var after = await client.GetPrefixAsync("/");
        AssertSameKeyspace(keyspace, after.Where(kv => kv.Key != "/app/after").ToDictionary());
        Assert.Equal(3, report.Members.Count(m => m.Defragmented));
        Assert.All(report.Members, m => Assert.True(m.DbSizeAfter < m.DbSizeBefore, $"{m.Name}: {m.DbSizeBefore} -> {m.DbSizeAfter}"));
        Assert.True(report.Reclaimed > 0);
        Assert.NotEmpty(report.AlarmsDisarmed);
        Assert.All(report.AlarmsDisarmed, a => Assert.Equal(EtcdAlarmType.NoSpace, a.Type));
        Assert.True(report.ProbeWriteSucceeded);

        var defrags = progress.Events.Where(e => e.Stage == SpaceRecoveryStage.DefragmentStarted).Select(e => e.Member).ToList();
        var leaderName = (await client.ListMembersAsync()).Find(leaderBefore)!.Name;
        Assert.Equal(3, defrags.Count);
        Assert.Equal(leaderName, defrags[^1]);
        var moved = progress.Events.Single(e => e.Stage == SpaceRecoveryStage.LeaderMoved);
        Assert.True(progress.Events.ToList().IndexOf(moved) < progress.Events.ToList().FindIndex(e => e.Stage == SpaceRecoveryStage.DefragmentStarted && e.Member == leaderName));
        Assert.NotEqual(leaderBefore, report.LeaderMovedTo);
        Assert.Equal(report.AlarmsDisarmed.Count, progress.Events.Count(e => e.Stage == SpaceRecoveryStage.AlarmDisarmed));
    }

    [Fact]
    public async Task Plan_IsADryRun_ListsFollowersFirstLeaderLast_WithEtcdctlCommands()
    {
        var (cluster, client, _) = await FilledClusterAsync();
        await using var _c = cluster;
        await using var _cl = client;
        var revisionBefore = (await client.GetClusterStatusAsync()).MaxRevision;

        var plan = await new SpaceRecovery(client).PlanAsync();

        Assert.Equal(revisionBefore, plan.CompactRevision);
        Assert.True(plan.Members[^1].IsLeader);
        Assert.All(plan.Members, m => Assert.Equal(MemberPlanAction.Defragment, m.Action));
        Assert.NotNull(plan.MoveLeaderTo);
        Assert.Contains(plan.Steps, s => s.EquivalentCommand.Contains($"compact {revisionBefore} --physical", StringComparison.Ordinal));
        Assert.Equal(3, plan.Steps.Count(s => s.EquivalentCommand.EndsWith("defrag", StringComparison.Ordinal)));
        Assert.Contains(plan.Steps, s => s.EquivalentCommand.Contains("move-leader", StringComparison.Ordinal));
        Assert.Equal(plan.Alarms.Count, (await client.GetAlarmsAsync()).Count);
        Assert.NotEmpty(plan.Alarms);
        Assert.Equal(revisionBefore, (await client.GetClusterStatusAsync()).MaxRevision);
    }

    [Fact]
    public async Task MemberStoppedDuringRecovery_StopsNamingIt_KeepsAlarms_AndASecondRunFinishes()
    {
        var (cluster, client, keyspace) = await FilledClusterAsync();
        await using var _ = cluster;
        await using var __ = client;
        var alarmsBefore = await client.GetAlarmsAsync();
        var plan = await new SpaceRecovery(client).PlanAsync();
        var victimName = plan.Members[1].Name;
        var victim = cluster.Members.ToList().FindIndex(m => m.Name == victimName);
        var progress = new SyncProgress<SpaceRecoveryProgress>(e =>
        {
            if (e.Stage == SpaceRecoveryStage.DefragmentCompleted && e.Member == plan.Members[0].Name)
            {
                cluster.StopMemberAsync(victim).GetAwaiter().GetResult();
            }
        });

        var failed = await new SpaceRecovery(client).ExecuteAsync(progress);

        Assert.False(failed.Succeeded);
        Assert.Contains(cluster.Members[victim].ClientUrl, failed.FailureReason, StringComparison.Ordinal);
        Assert.Empty(failed.AlarmsDisarmed);
        var kept = await client.GetAlarmsAsync();
        Assert.All(alarmsBefore, a => Assert.Contains(a, kept));
        await Assert.ThrowsAsync<EtcdNoSpaceException>(() => client.ProbeWriteAsync());

        await cluster.StartMemberAsync(victim);
        var second = await new SpaceRecovery(client).ExecuteAsync();

        Assert.True(second.Succeeded, second.FailureReason);
        Assert.Empty(await client.GetAlarmsAsync());
        AssertSameKeyspace(keyspace, await client.GetPrefixAsync("/"));
    }

    [Fact]
    public async Task MemberStoppedRightAfterItsDefragment_TheFailureNamesThatMember_NotTheNext()
    {
        var (cluster, client, _) = await FilledClusterAsync();
        await using var _ = cluster;
        await using var __ = client;
        var plan = await new SpaceRecovery(client).PlanAsync();
        var first = plan.Members[0].Name;
        var victim = cluster.Members.ToList().FindIndex(m => m.Name == first);
        var progress = new SyncProgress<SpaceRecoveryProgress>(e =>
        {
            if (e.Stage == SpaceRecoveryStage.DefragmentCompleted && e.Member == first)
            {
                cluster.StopMemberAsync(victim).GetAwaiter().GetResult();
            }
        });

        var failed = await new SpaceRecovery(client, new SpaceRecoveryOptions { MemberRecoveryTimeout = TimeSpan.FromSeconds(5) }).ExecuteAsync(progress);

        Assert.False(failed.Succeeded);
        Assert.StartsWith($"stopped at {first}:", failed.FailureReason, StringComparison.Ordinal);
        var report = Assert.Single(failed.Members);
        Assert.Equal(first, report.Name);
        Assert.False(report.Defragmented);
        Assert.Empty(failed.AlarmsDisarmed);
    }

    [Fact]
    public async Task MemberPausedDuringItsDefragment_TimesOut_AndTheReportSaysSo()
    {
        var (cluster, client, _) = await FilledClusterAsync();
        await using var _c = cluster;
        await using var __ = client;
        await using var shortDefrag = cluster.CreateClient(o => o.DefragmentTimeout = TimeSpan.FromSeconds(2));
        var plan = await new SpaceRecovery(shortDefrag).PlanAsync();
        var target = plan.Members[0].Name;
        var index = cluster.Members.ToList().FindIndex(m => m.Name == target);
        var progress = new SyncProgress<SpaceRecoveryProgress>(e =>
        {
            if (e.Stage == SpaceRecoveryStage.DefragmentStarted && e.Member == target)
            {
                cluster.PauseMember(index);
            }
        });
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        SpaceRecoveryReport report;
        try
        {
            report = await new SpaceRecovery(shortDefrag).ExecuteAsync(progress, guard.Token);
        }
        finally
        {
            cluster.ResumeMember(index);
        }

        Assert.False(report.Succeeded);
        Assert.Equal(EtcdErrorCode.DeadlineExceeded, report.Error!.ErrorCode);
        Assert.Contains(cluster.Members[index].ClientUrl, report.FailureReason, StringComparison.Ordinal);
        Assert.Contains(progress.Events, e => e.Stage == SpaceRecoveryStage.DefragmentFailed && e.Member == target);
        Assert.DoesNotContain(progress.Events, e => e.Stage == SpaceRecoveryStage.DefragmentStarted && e.Member != target);
        Assert.Empty(report.AlarmsDisarmed);
    }
}

/// <summary>The defragmentation policy on real clusters.</summary>
public sealed class DefragmentationPolicyTests
{
    [Fact]
    public async Task Policy_LeavesALittleFragmentedClusterAlone_AndDefragmentsAFragmentedOne()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 3 });
        await using var client = cluster.CreateClient();
        var rule = DefragCondition.Parse("fragmentation >= 45% && dbSize >= 1MB");
        var options = new SpaceRecoveryOptions { DefragmentWhen = rule, Compaction = CompactionTarget.Current, VerifyWithProbeWrite = false };
        await client.PutAsync("/small", "1"u8.ToArray());

        var calm = await new SpaceRecovery(client, options).ExecuteAsync();

        Assert.True(calm.Succeeded, calm.FailureReason);
        Assert.All(calm.Members, m => Assert.False(m.Defragmented));
        Assert.All(calm.Members, m => Assert.Contains("dbSize", m.Note, StringComparison.Ordinal));

        await EtcdTestCluster.FragmentAsync(client);
        var fragmented = await new SpaceRecovery(client, options).ExecuteAsync();

        Assert.True(fragmented.Succeeded, fragmented.FailureReason);
        Assert.True(3 == fragmented.Members.Count(m => m.Defragmented), string.Join("; ", fragmented.Members.Select(m => $"{m.Name}: {m.Defragmented} {m.Note}")));
        Assert.All(fragmented.Members, m => Assert.True(m.DbSizeAfter < m.DbSizeBefore));
    }
}
