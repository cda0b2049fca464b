using EtcdMaintenance.Hosting;
using EtcdMaintenance.IntegrationTests.Harness;

namespace EtcdMaintenance.IntegrationTests;

public sealed class HarnessTests
{
    [Fact]
    public async Task Dispose_KillsEveryMemberProcess_PausedOnesIncluded_AndRemovesTheTempDir()
    {
        var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 3 });
        var pids = cluster.Members.Select(m => m.Process!.ProcessId).ToList();
        cluster.PauseMember(1);

        await cluster.DisposeAsync();

        Assert.All(pids, pid => Assert.DoesNotContain(pid, LocalEtcdProcess.StartedAndRunning));
        Assert.All(pids, pid => Assert.Null(LocalEtcdProcess.TryAttach(pid)));
        Assert.False(Directory.Exists(cluster.Root));
    }

    [Fact]
    public async Task HostedMembers_AreNamedByThePrefix_AndDisposeStopsTheDetachedProcesses()
    {
        var cluster = await LocalEtcdCluster.StartAsync(new LocalEtcdClusterOptions { Members = 2, Hosted = true, MemberNamePrefix = "h-" });
        var pids = cluster.ProcessIds;
        await using (var client = cluster.CreateClient())
        {
            var members = await client.ListMembersAsync();
            Assert.Equal(["h-1", "h-2"], members.Members.Select(m => m.Name).Order());
        }

        Assert.Equal(2, pids.Count);
        Assert.All(cluster.Members, m => Assert.Equal(m.ProcessId, m.Host!.ProcessId));

        await cluster.DisposeAsync();

        Assert.Empty(LocalEtcdCluster.StillRunning(pids));
        Assert.False(Directory.Exists(cluster.Root));
    }

    [Fact]
    public async Task AMissingEtcdBinary_FailsTheStart_NamingTheBinary()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-etcd", "etcd");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => LocalEtcdCluster.StartAsync(new LocalEtcdClusterOptions { EtcdBinary = missing }));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}
