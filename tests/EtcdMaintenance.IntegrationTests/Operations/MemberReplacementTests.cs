using System.Collections.Concurrent;
using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Operations;
using static EtcdMaintenance.IntegrationTests.Operations.ReplacementTestKit;

namespace EtcdMaintenance.IntegrationTests.Operations;

/// <summary>Member replacement on real hosted 3-member clusters: divergence, writes during the replacement, plan.</summary>
public sealed class MemberReplacementTests
{
    [Fact]
    public async Task MemberOnAnotherClustersDataDir_IsFlaggedAsForeign_AndReplacementRestoresThreeEqualVoters_KeepingTheCopyAside()
    {
        await using var cluster = await StartClusterAsync();
        await using var client = cluster.CreateClient();
        var keys = await SeedAsync(client);
        var victim = cluster.Members[1];

        // Another cluster's data dir, copied over the victim's while it is stopped.
        await using (var other = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1 }))
        {
            await using var otherClient = other.CreateClient();
            await otherClient.PutAsync("/foreign/key", "from another cluster"u8.ToArray());
            await other.StopMemberAsync(0);
            await cluster.StopMemberAsync(1);
            Directory.Delete(victim.DataDir, recursive: true);
            CopyDirectory(other.Members[0].DataDir, victim.DataDir);
        }

        await victim.Host!.StartAsync();

        // What etcd 3.4 does: it starts as the other cluster's only member (its leader) on the victim's client URL.
        var foreign = await WaitForAnswerAsync(client, cluster.Endpoint(1));
        var real = await client.GetStatusAsync(cluster.Endpoint(0));
        Assert.NotEqual(real.Header!.ClusterId, foreign.Header!.ClusterId);
        Assert.True(foreign.IsLeader);
        Assert.Equal("from another cluster", System.Text.Encoding.UTF8.GetString((await client.GetPrefixAsync("/foreign/", cluster.Endpoint(1)))["/foreign/key"]));

        var report = await new ConsistencyChecker(client).CheckAsync();
        var flagged = Assert.Single(report.Suspects);
        Assert.Equal("n2", flagged.Name);
        Assert.True(flagged.Has(ConsistencyIssue.ForeignData), string.Join("; ", flagged.Findings));
        Assert.True(flagged.ReplacementRecommended);
        Assert.Equal(real.Header.ClusterId, report.ClusterId);

        var operation = await new MemberReplacementCoordinator(client, Options(cluster)).StartAsync(Request(cluster, 1));
        var result = await operation.WaitForCompletionAsync();

        await AssertHealthyAsync(cluster, client, keys);
        Assert.Empty(await client.GetPrefixAsync("/foreign/"));
        Assert.NotNull(result.ArchivedDataDirectory);
        Assert.True(Directory.Exists(Path.Combine(result.ArchivedDataDirectory!, "member", "snap")), "the foreign copy is kept aside");
        Assert.True(File.Exists(result.Snapshot!.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(result.Snapshot.Path));
    }

    [Fact]
    public async Task MemberRestartedOnAnOldCopyOfItsDataDir_CrashesAndIsFlaggedUnreachable_AndReplacementRestoresIt()
    {
        await using var cluster = await StartClusterAsync();
        await using var client = cluster.CreateClient();
        await SeedAsync(client, 5);
        var victim = cluster.Members[2];
        var oldCopy = Path.Combine(cluster.Root, "n3-old-copy");
        await cluster.StopMemberAsync(2);
        CopyDirectory(victim.DataDir, oldCopy);
        await cluster.StartMemberAsync(2);
        var keys = await SeedAsync(client, 40);
        await cluster.StopMemberAsync(2);
        Directory.Delete(victim.DataDir, recursive: true);
        CopyDirectory(oldCopy, victim.DataDir);

        await victim.Host!.StartAsync();

        // What etcd 3.4 does: the leader's heartbeat carries a commit index beyond the old log, and raft panics
        // ("tocommit(N) is out of range [lastIndex(M)]. Was the raft log corrupted, truncated, or lost?").
        await Retry.UntilAsync(async () => !await victim.Host.IsStartedAsync(), "n3 to exit on its old data dir");
        Assert.Contains("is out of range", File.ReadAllText(victim.Host.LogFile), StringComparison.Ordinal);

        var report = await new ConsistencyChecker(client).CheckAsync();
        var flagged = Assert.Single(report.Suspects);
        Assert.Equal("n3", flagged.Name);
        Assert.True(flagged.Has(ConsistencyIssue.Unreachable), string.Join("; ", flagged.Findings));
        Assert.False(flagged.ReplacementRecommended);
        Assert.Empty(report.RecommendedReplacements);

        var plan = await new MemberReplacementCoordinator(client, Options(cluster)).PlanAsync(Request(cluster, 2, asLearner: false));
        Assert.True(plan.IsReady, plan.FirstFailure?.Detail);
        var operation = await new MemberReplacementCoordinator(client, Options(cluster)).StartAsync(Request(cluster, 2, asLearner: false));
        var result = await operation.WaitForCompletionAsync();

        await AssertHealthyAsync(cluster, client, keys);
        Assert.Contains(result.Steps, s => s.Step == MemberReplacementStep.PromoteMember && s.AlreadyDone);
        Assert.True(Directory.Exists(Path.Combine(result.ArchivedDataDirectory!, "member")));
    }

    [Fact]
    public async Task WritesContinueDuringTheReplacementOfTheLeader_AndEveryAcknowledgedWriteIsReadableAfterwards()
    {
        await using var cluster = await StartClusterAsync();
        await using var client = cluster.CreateClient();
        await using var writer = cluster.CreateClient();
        var leader = LeaderIndex(cluster, await client.GetClusterStatusAsync());
        var acknowledged = new ConcurrentDictionary<string, string>();
        var failures = 0;
        using var stop = new CancellationTokenSource();
        var writes = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var key = $"/app/w{i:D6}";
                var value = $"v{i}";
                try
                {
                    await writer.PutAsync(key, System.Text.Encoding.UTF8.GetBytes(value));
                    acknowledged[key] = value;
                }
                catch (EtcdException)
                {
                    // Not acknowledged (the member it went to was stopped, or a learner): may or may not be there.
                    Interlocked.Increment(ref failures);
                }
            }
        });
        await Retry.UntilAsync(() => Task.FromResult(acknowledged.Count >= 20), "the writer to get going");
        var progress = new SyncProgress<MemberReplacementProgress>();

        var operation = await new MemberReplacementCoordinator(client, Options(cluster)).StartAsync(Request(cluster, leader), progress);
        var result = await operation.WaitForCompletionAsync();
        var duringReplacement = acknowledged.Count;
        await Retry.UntilAsync(() => Task.FromResult(acknowledged.Count >= duringReplacement + 20), "writes after the replacement");
        await stop.CancelAsync();
        await writes;

        var expected = acknowledged.ToDictionary(kv => kv.Key, kv => System.Text.Encoding.UTF8.GetBytes(kv.Value));
        await AssertHealthyAsync(cluster, client, expected);
        Assert.True(acknowledged.Count > 40, $"{acknowledged.Count} writes acknowledged, {failures} failed");
        Assert.Contains(result.Steps, s => s.Step == MemberReplacementStep.MoveLeader && !s.AlreadyDone);
        Assert.NotEqual(cluster.Members[leader].ClientUrl, (await client.GetClusterStatusAsync()).Leader?.Endpoint);
        Assert.Contains(progress.Events, e => e.Step == MemberReplacementStep.MoveLeader && e.Kind == MemberReplacementProgressKind.StepCompleted);
    }

    [Fact]
    public async Task RejoinedMemberLargerThanTheOthers_IsDefragmentedBeforeSuccess_AndWritesWork()
    {
        await using var cluster = await StartClusterAsync();
        await using var client = cluster.CreateClient();
        var keys = await SeedAsync(client, 5);

        // History the rejoining member replays from the leader's log (no raft snapshot yet) while the others have
        // defragmented theirs away: the incident's shape, a new member with a much larger file.
        for (var i = 0; i < 24; i++)
        {
            await client.PutAsync($"/churn/{i % 4}", new byte[800 * 1024]);
        }

        await client.DeletePrefixAsync("/churn/");
        await client.CompactAsync((await client.PutAsync("/tick", "0"u8.ToArray())).Revision);
        for (var i = 0; i < cluster.Members.Count; i++)
        {
            await client.DefragmentAsync(cluster.Endpoint(i));
        }

        var othersLargest = (await client.GetClusterStatusAsync()).Reachable.Max(s => s.DbSize);
        var options = Options(cluster);
        // The rejoined member replays ~19 MB of values before the compaction: its file stays that large until defragmented.
        options.DefragmentRejoinedMemberWhen = DefragCondition.Parse("dbSize >= 8MiB");
        var progress = new SyncProgress<MemberReplacementProgress>();

        var operation = await new MemberReplacementCoordinator(client, options).StartAsync(Request(cluster, 2), progress);
        var result = await operation.WaitForCompletionAsync();

        var verify = Assert.Single(result.Steps, s => s.Step == MemberReplacementStep.Verify);
        Assert.Contains("defragmented the rejoined n3", verify.Note, StringComparison.Ordinal);
        Assert.Contains("a probe write succeeded", verify.Note, StringComparison.Ordinal);
        Assert.Contains(progress.Events, e => e.Kind == MemberReplacementProgressKind.Waiting && e.Message.StartsWith("defragmenting the rejoined n3 (dbSize", StringComparison.Ordinal));
        var rejoined = await client.GetStatusAsync(cluster.Endpoint(2));
        Assert.True(rejoined.DbSize < 8 * 1024 * 1024 && othersLargest < 8 * 1024 * 1024, $"{rejoined.DbSize} against {othersLargest}");
        await client.PutAsync("/app/after", "works"u8.ToArray());
        await AssertHealthyAsync(cluster, client, keys);
    }

    [Fact]
    public async Task Plan_IsADryRun_ListsPreconditionsAndStepsWithEtcdctlEquivalents_AndChangesNothing()
    {
        await using var cluster = await StartClusterAsync();
        await using var client = cluster.CreateClient();
        var before = await FingerprintAsync(cluster, client);
        var member = (await client.ListMembersAsync()).FindByName("n2")!;

        var plan = await new MemberReplacementCoordinator(client, Options(cluster)).PlanAsync(Request(cluster, 1));

        Assert.True(plan.IsReady, plan.FirstFailure?.Detail);
        Assert.Equal(member.Id, plan.MemberId);
        Assert.Equal(11, plan.Steps.Count);
        Assert.Contains(plan.Steps, s => s.EquivalentCommand.Contains($"member remove {member.Id}", StringComparison.Ordinal));
        Assert.Contains(plan.Steps, s => s.EquivalentCommand.Contains($"member add n2 --peer-urls={cluster.Members[1].PeerUrl} --learner", StringComparison.Ordinal));
        Assert.Contains(plan.Steps, s => s.EquivalentCommand.Contains("snapshot save", StringComparison.Ordinal) && s.EquivalentCommand.Contains("chmod 600", StringComparison.Ordinal));
        Assert.Contains(plan.Steps, s => s.EquivalentCommand.Contains("member promote", StringComparison.Ordinal));
        Assert.Contains("--initial-cluster-state=existing", plan.Steps[6].EquivalentCommand, StringComparison.Ordinal);
        var initial = EtcdMaintenance.Manifests.InitialCluster.Parse(plan.InitialCluster!);
        Assert.Equal(["n1", "n2", "n3"], initial.Members.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.All(plan.Preconditions, p => Assert.True(p.Passed, p.Detail));
        Assert.Equal(before, await FingerprintAsync(cluster, client));
        Assert.False(Directory.Exists(JournalDirectory(cluster)) && Directory.EnumerateFiles(JournalDirectory(cluster), "*.json").Any());
    }

    internal static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(destination, Path.GetRelativePath(source, directory)));
        }

        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(destination, Path.GetRelativePath(source, file)));
        }
    }

    private static async Task<EndpointStatus> WaitForAnswerAsync(EtcdMaintenanceClient client, EtcdEndpoint endpoint)
    {
        EndpointStatus? status = null;
        await Retry.UntilAsync(async () =>
        {
            try
            {
                status = await client.GetStatusAsync(endpoint);
                return !status.Leader.IsNone;
            }
            catch (EtcdException)
            {
                return false;
            }
        }, $"{endpoint} to answer");
        return status!;
    }
}
