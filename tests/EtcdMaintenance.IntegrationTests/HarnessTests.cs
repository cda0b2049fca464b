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
}
