using EtcdMaintenance.Hosting;
using EtcdMaintenance.IntegrationTests.Operations;
using EtcdMaintenance.Operations;

namespace EtcdMaintenance.IntegrationTests.Hosting;

/// <summary>MemberReplacement through an SSH host whose node drops mid-run (its sshd killed), then comes back.</summary>
public sealed class SshMemberReplacementTests
{
    [Fact]
    public async Task NodeDropsMidReplacement_StopsAtAStepBoundarySayingWhatWasDone_AndAResumedRunCompletes()
    {
        await using var server = await SshTestServer.StartAsync();
        await using var cluster = await StaticPodTestCluster.StartAsync(server.Root, 3, 64L * 1024 * 1024);
        await using var client = cluster.CreateClient();
        var status = await client.GetClusterStatusAsync();
        var leaderId = status.Reachable.Single(s => s.IsLeader).MemberId;
        var members = await client.ListMembersAsync();
        var victim = cluster.Members.First(m => members.FindByName(m.Name)!.Id != leaderId);
        var oldId = members.FindByName(victim.Name)!.Id;
        for (var i = 0; i < 20; i++)
        {
            await client.PutAsync($"/app/{i:D2}", new[] { (byte)i });
        }

        var options = ReplacementTestKit.Options(server.Root, stopTimeout: TimeSpan.FromSeconds(60));

        // The node drops right after its member is stopped: the next step on it (moving the data dir aside) cannot run.
        string journal;
        await using (var host = new SshEtcdMemberHost("127.0.0.1", server.Options(), victim.Paths))
        {
            var progress = new SyncProgress<MemberReplacementProgress>(e =>
            {
                if (e.Step == MemberReplacementStep.StopMember && e.Kind == MemberReplacementProgressKind.StepCompleted)
                {
                    server.StopAsync().GetAwaiter().GetResult();
                }
            });
            var operation = await new MemberReplacementCoordinator(client, options).StartAsync(new MemberReplacementRequest
            {
                MemberName = victim.Name,
                Host = host,
                PeerUrls = [victim.PeerUrl],
                AsLearner = true,
            }, progress);
            journal = operation.JournalPath;

            var failure = await Assert.ThrowsAsync<MemberReplacementException>(async () => await operation.WaitForCompletionAsync());
            Assert.Equal(MemberReplacementStep.ArchiveDataDirectory, failure.Step);
            var cause = Assert.IsType<EtcdHostException>(failure.InnerException);
            Assert.Equal((EtcdHostErrorCode.Unreachable, "127.0.0.1"), (cause.ErrorCode, cause.Node));
            Assert.Contains("Done so far:", failure.Message, StringComparison.Ordinal);
            Assert.Contains(MemberReplacementStep.StopMember, operation.GetCheckpoint().CompletedSteps.Select(s => s.Step));
            Assert.Equal(MemberReplacementStep.ArchiveDataDirectory, operation.GetCheckpoint().NextStep);
            Assert.True(Directory.Exists(Path.Combine(victim.Root, "data")), "the data dir moved although the step failed");
        }

        // The node is back: a new host and coordinator resume from the journal and complete.
        await server.RestartAsync();
        await using (var host = new SshEtcdMemberHost("127.0.0.1", server.Options(), victim.Paths))
        {
            var resumed = await new MemberReplacementCoordinator(client, options).ResumeAsync(journal, host);
            var result = await resumed.WaitForCompletionAsync();

            Assert.NotEqual(oldId, result.NewMemberId);
            Assert.Single(Directory.EnumerateDirectories(victim.Root, "data.replaced-*"));
        }

        var stored = await client.GetPrefixAsync("/app/");
        Assert.Equal(20, stored.Count);
        Assert.Equal(3, (await client.ListMembersAsync()).Members.Count(m => m.IsStarted && !m.IsLearner));
    }
}
