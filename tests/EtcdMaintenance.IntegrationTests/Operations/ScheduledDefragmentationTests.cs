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
        for (var i = 0; i < 30; i++)
        {
            await client.PutAsync($"/churn/{i % 10}", new byte[200 * 1024]);
        }

        await client.DeletePrefixAsync("/churn/");
        await client.CompactAsync((await client.PutAsync("/tick", "0"u8.ToArray())).Revision);
        await Retry.UntilAsync(async () =>
        {
            await client.PutAsync("/tick", "1"u8.ToArray());
            return (await client.GetClusterStatusAsync()).Reachable.All(s => s.FragmentationRatio >= 0.45);
        }, "every member to report the fragmentation");
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
