using EtcdMaintenance.Hosting;
using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Operations;
using static EtcdMaintenance.IntegrationTests.Operations.ReplacementTestKit;

namespace EtcdMaintenance.IntegrationTests.Operations;

/// <summary>Member replacement and its resume on real hosted 3-member clusters with auth on (root user and password).</summary>
public sealed class MemberReplacementAuthTests
{
    /// <summary>
    /// A hosted cluster with auth on, and the client's endpoints ordered so that once the replaced follower stops,
    /// cluster-wide calls go to the other follower (which would forward a promote to the leader without credentials).
    /// </summary>
    private static async Task<(EtcdTestCluster Cluster, int Replaced, string[] Endpoints)> StartAsync()
    {
        var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 3, Hosted = true, RootPassword = "s3cret-root" });
        await using var setup = cluster.CreateClient();
        var leader = LeaderIndex(cluster, await setup.GetClusterStatusAsync());
        var followers = Enumerable.Range(0, 3).Where(i => i != leader).ToArray();
        return (cluster, followers[0], [cluster.Members[followers[0]].ClientUrl, cluster.Members[followers[1]].ClientUrl, cluster.Members[leader].ClientUrl]);
    }

    [Fact]
    public async Task Replacement_WithAuthOn_PromotesThroughTheLeader_AndFinishesWithThreeEqualVoters()
    {
        var (cluster, replaced, endpoints) = await StartAsync();
        await using var _ = cluster;
        await using var client = cluster.CreateClient(o => o.Endpoints = endpoints);
        var keys = await SeedAsync(client);
        var oldId = (await client.ListMembersAsync()).FindByName(cluster.Members[replaced].Name)!.Id;

        var operation = await new MemberReplacementCoordinator(client, Options(cluster)).StartAsync(Request(cluster, replaced));
        await operation.WaitForCompletionAsync();

        var members = await client.ListMembersAsync();
        Assert.Null(members.Find(oldId));
        Assert.False(members.FindByName(cluster.Members[replaced].Name)!.IsLearner);
        Assert.Contains(operation.GetCheckpoint().CompletedSteps, s => s.Step == MemberReplacementStep.PromoteMember && !s.AlreadyDone);
        await AssertHealthyAsync(cluster, client, keys);
    }

    [Fact]
    public async Task Resume_WithAuthOn_WhileTheNewMemberIsALearner_CatchesUpAndFinishes()
    {
        var (cluster, replaced, endpoints) = await StartAsync();
        await using var _ = cluster;
        await using var setup = cluster.CreateClient(o => o.Endpoints = endpoints);
        var keys = await SeedAsync(setup);
        var manifest = cluster.Members[replaced].Host!.ManifestPath;

        // Stop right after the new member started: it is a learner catching up when the next process takes over.
        using var boundary = new CancellationTokenSource();
        var progress = new SyncProgress<MemberReplacementProgress>(e =>
        {
            if (e.Step == MemberReplacementStep.StartMember && e.Kind is MemberReplacementProgressKind.StepCompleted or MemberReplacementProgressKind.StepSkipped)
            {
                boundary.Cancel();
            }
        });
        var first = await new MemberReplacementCoordinator(setup, Options(cluster)).StartAsync(Request(cluster, replaced), progress);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await first.WaitForCompletionAsync(boundary.Token));
        Assert.True((await setup.ListMembersAsync()).Members.Single(m => m.PeerUrls.Contains(cluster.Members[replaced].PeerUrl)).IsLearner);

        // A new process: a new client (authenticating afresh) and coordinator, resumed from the journal.
        await using var client = cluster.CreateClient(o => o.Endpoints = endpoints);
        var resumed = await new MemberReplacementCoordinator(client, Options(cluster)).ResumeAsync(first.JournalPath, new LocalProcessEtcdHost(manifest, EtcdBinaries.Etcd));
        Assert.Equal(MemberReplacementStep.WaitForCatchUp, resumed.CurrentStep);
        await resumed.WaitForCompletionAsync();

        Assert.True(resumed.HasCompleted);
        await AssertHealthyAsync(cluster, client, keys);
    }
}
