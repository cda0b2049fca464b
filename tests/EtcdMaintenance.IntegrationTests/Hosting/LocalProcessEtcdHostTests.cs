using EtcdMaintenance.Hosting;
using EtcdMaintenance.IntegrationTests.Harness;

namespace EtcdMaintenance.IntegrationTests.Hosting;

public sealed class LocalProcessEtcdHostTests
{
    [Fact]
    public async Task HostedMembers_StartFromTheirManifests_AndAFreshHostFindsAndStopsThemByPidFile()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1, Hosted = true });
        await using var client = cluster.CreateClient();
        var host = cluster.Members[0].Host!;
        Assert.True(await host.IsStartedAsync());
        Assert.Contains("--name=n1", (await host.LoadManifestAsync()).CommandLine);

        // A new host object, as a resumed operation in a new process would build, finds the member by its PID file.
        var fresh = new LocalProcessEtcdHost(host.ManifestPath, EtcdBinaries.Etcd);
        Assert.True(await fresh.IsStartedAsync());
        await fresh.StopAsync();

        Assert.False(await host.IsStartedAsync());
        Assert.False(File.Exists(fresh.PidFile));
        await Assert.ThrowsAsync<EtcdUnavailableException>(() => client.GetStatusAsync(cluster.Endpoint(0)));

        await cluster.StartMemberAsync(0);
        Assert.True((await client.GetStatusAsync(cluster.Endpoint(0))).IsLeader);
    }

    [Fact]
    public async Task ArchiveDataDirectory_MovesItAsideWithoutDeleting_AndRefusesWhileRunning()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1, Hosted = true });
        var host = cluster.Members[0].Host!;
        var dataDir = cluster.Members[0].DataDir;

        await Assert.ThrowsAsync<InvalidOperationException>(() => host.ArchiveDataDirectoryAsync(dataDir));
        await host.StopAsync();
        var archived = await host.ArchiveDataDirectoryAsync(dataDir);

        Assert.NotNull(archived);
        Assert.False(Directory.Exists(dataDir));
        Assert.True(Directory.Exists(Path.Combine(archived, "member")));
        Assert.StartsWith(dataDir + ".replaced-", archived, StringComparison.Ordinal);
        Assert.Null(await host.ArchiveDataDirectoryAsync(dataDir));
    }
}
