using System.Text.Json;
using EtcdMaintenance.IntegrationTests.Harness;

namespace EtcdMaintenance.IntegrationTests;

public sealed class SingleMemberFixture : IAsyncLifetime
{
    public EtcdTestCluster Cluster { get; private set; } = null!;

    public EtcdMaintenanceClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1 });
        Client = Cluster.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}

public sealed class SingleMemberClientTests(SingleMemberFixture fixture) : IClassFixture<SingleMemberFixture>
{
    private EtcdTestCluster Cluster => fixture.Cluster;

    private EtcdMaintenanceClient Client => fixture.Client;

    [Fact]
    public async Task GetStatus_MatchesEtcdctlJson()
    {
        await Client.PutAsync("/status-test/a", "x"u8.ToArray());
        var status = await Client.GetStatusAsync(Cluster.Endpoint(0));
        using var json = JsonDocument.Parse(await Cluster.EtcdctlAsync(["endpoint", "status", "-w", "json"]));
        var expected = json.RootElement[0].GetProperty("Status");

        Assert.Equal(expected.GetProperty("header").GetProperty("cluster_id").GetUInt64(), status.Header!.ClusterId);
        Assert.Equal(expected.GetProperty("header").GetProperty("member_id").GetUInt64(), status.MemberId.Value);
        Assert.Equal(expected.GetProperty("header").GetProperty("revision").GetInt64(), status.Revision);
        Assert.Equal(expected.GetProperty("dbSize").GetInt64(), status.DbSize);
        Assert.Equal(expected.GetProperty("version").GetString(), status.Version);
        Assert.Equal(expected.GetProperty("leader").GetUInt64(), status.Leader.Value);
        Assert.True(status.IsLeader);
        Assert.False(status.IsLearner);
        Assert.NotNull(status.DbSizeInUse);
        Assert.InRange(status.FragmentationRatio!.Value, 0, 1);
    }
}
