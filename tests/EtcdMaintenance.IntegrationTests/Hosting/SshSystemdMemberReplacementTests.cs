using EtcdMaintenance.Hosting;
using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.IntegrationTests.Operations;
using EtcdMaintenance.Operations;

namespace EtcdMaintenance.IntegrationTests.Hosting;

/// <summary>
/// MemberReplacement, unchanged, through systemd-unit mode over a real sshd: three <see cref="SystemdUnitFixture"/> units,
/// the member replaced through its environment file and its systemctl, with a writer running throughout.
/// </summary>
public sealed class SshSystemdMemberReplacementTests
{
    [Fact]
    public async Task ReplaceMember_OfASystemdUnitOverSsh_BringsItBackWithItsDataDirMovedAside_AndKeepsEveryAcknowledgedWrite()
    {
        await using var server = await SshTestServer.StartAsync();
        var units = await SystemdUnitFixture.StartClusterAsync(server.Root, 3, 64L * 1024 * 1024);
        try
        {
            await using var client = SystemdUnitFixture.CreateClient(string.Join(',', units.Select(u => u.ClientUrl)));
            var leaderId = (await client.GetClusterStatusAsync()).Reachable.Single(s => s.IsLeader).MemberId;
            var members = await client.ListMembersAsync();
            var victim = units.First(u => members.FindByName(u.Name)!.Id != leaderId);
            var oldId = members.FindByName(victim.Name)!.Id;
            var oldPid = victim.Pid;

            await using var writer = AcknowledgedWriter.Start(client);

            var options = ReplacementTestKit.Options(server.Root, stopTimeout: TimeSpan.FromSeconds(60));
            MemberReplacementResult result;
            MemberReplacementCheckpoint checkpoint;
            await using (var host = new SshSystemdMemberHost("127.0.0.1", server.Options(), victim.Options))
            {
                var request = new MemberReplacementRequest
                {
                    MemberName = victim.Name,
                    Host = host,
                    PeerUrls = [victim.PeerUrl],
                    AsLearner = true,
                };
                var coordinator = new MemberReplacementCoordinator(client, options);

                // The plan shows the unit commands run on the node.
                var commands = (await coordinator.PlanAsync(request)).Steps.Select(s => s.EquivalentCommand).ToList();
                Assert.Contains($"ssh 127.0.0.1 \"{victim.Systemctl} stop '{SystemdUnitFixture.Unit}'\"", commands);
                Assert.Contains($"ssh 127.0.0.1 \"{victim.Systemctl} start '{SystemdUnitFixture.Unit}'\"", commands);

                var operation = await coordinator.StartAsync(request);
                result = await operation.WaitForCompletionAsync();
                checkpoint = await MemberReplacementCoordinator.ReadJournalAsync(operation.JournalPath);
            }

            await writer.StopAsync();

            // The member is back under its unit, a new member with an empty data dir; the old one moved aside, not deleted.
            Assert.NotEqual(oldId, result.NewMemberId);
            Assert.NotNull(victim.Pid);
            Assert.NotEqual(oldPid, victim.Pid);
            var archived = Assert.Single(Directory.EnumerateDirectories(Path.GetDirectoryName(victim.DataDir)!, "etcd.replaced-*"));
            Assert.True(Directory.Exists(Path.Combine(archived, "member")));
            Assert.True(Directory.Exists(Path.Combine(victim.DataDir, "member")));

            // The journal records the node and the systemd mode, for the run and for every step.
            Assert.Equal(("127.0.0.1", MemberHostRunMode.SystemdUnit), (checkpoint.HostName, checkpoint.RunMode));
            Assert.NotEmpty(checkpoint.CompletedSteps);
            Assert.All(checkpoint.CompletedSteps, s => Assert.Equal(("127.0.0.1", MemberHostRunMode.SystemdUnit), (s.Node, s.RunMode)));

            // Only the two rejoin settings changed in the environment file.
            var before = victim.OriginalFlags.Split('\n');
            var after = File.ReadAllText(victim.EnvFile).Split('\n');
            Assert.Equal(before.Length, after.Length);
            Assert.Contains("ETCD_INITIAL_CLUSTER_STATE=existing", after);
            Assert.All(before.Zip(after).Where(p => !p.First.StartsWith("ETCD_INITIAL_CLUSTER=", StringComparison.Ordinal) && !p.First.StartsWith("ETCD_INITIAL_CLUSTER_STATE=", StringComparison.Ordinal)),
                p => Assert.Equal(p.First, p.Second));

            await writer.AssertEveryAcknowledgedWriteKeptAsync(client);
            Assert.Equal(3, (await client.ListMembersAsync()).Members.Count(m => m.IsStarted && !m.IsLearner));
        }
        finally
        {
            foreach (var unit in units)
            {
                await unit.DisposeAsync();
            }
        }
    }
}
