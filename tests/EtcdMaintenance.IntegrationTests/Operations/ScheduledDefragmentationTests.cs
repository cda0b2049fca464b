using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Operations;

namespace EtcdMaintenance.IntegrationTests.Operations;

public sealed class ScheduledDefragmentationTests
{
    [Fact]
    public async Task Schedule_WaitsWhileAMemberIsDown_ThenDefragmentsTheFragmentedCluster()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 3 });
        await using var client = cluster.CreateClient();
        await EtcdTestCluster.FragmentAsync(client);
        var schedule = new ScheduledDefragmentation(client, new ScheduledDefragmentationOptions
        {
            DefragmentWhen = DefragCondition.Parse("fragmentation >= 45% && dbSize >= 1MB"),
            StabilityWindow = TimeSpan.FromMilliseconds(300),
        });

        await cluster.StopMemberAsync(1);
        var waiting = await schedule.RunOnceAsync();
        await cluster.StartMemberAsync(1);
        var ran = await schedule.RunOnceAsync();
        var calm = await schedule.RunOnceAsync();

        Assert.False(waiting.Ran);
        Assert.Contains("n2 does not answer", waiting.Reason, StringComparison.Ordinal);
        Assert.True(ran.Ran, ran.Reason);
        Assert.Equal(3, ran.Report!.Members.Count(m => m.Defragmented));
        Assert.False(calm.Ran);
        Assert.Contains("no member is worth defragmenting", calm.Reason, StringComparison.Ordinal);
    }
}
