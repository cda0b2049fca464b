using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Operations;

namespace EtcdMaintenance.IntegrationTests.Operations;

/// <summary>A space recovery stopped after its first defragment resumes from its checkpoint on a real cluster.</summary>
public sealed class SpaceRecoveryResumeTests
{
    private const long Quota = 16 * 1024 * 1024;

    [Fact]
    public async Task CancelledAfterTheFirstDefragment_ResumesFromItsCheckpoint_AndCompletesWithNoSpaceDisarmed()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 3, QuotaBackendBytes = Quota });
        await using var client = cluster.CreateClient();
        var (_, error) = await cluster.FillToNoSpaceAsync(client, "/app/blob/", distinctKeys: 4);
        Assert.IsType<EtcdNoSpaceException>(error);
        await Retry.UntilAsync(async () => (await client.GetAlarmsAsync()).Any(a => a.Type == EtcdAlarmType.NoSpace), "a NOSPACE alarm");
        var path = Path.Combine(cluster.Root, "space-recovery.checkpoint.json");

        var plan = await new SpaceRecovery(client).PlanAsync();
        var first = await new SpaceRecovery(client).StartAsync(plan, checkpointPath: path);
        Assert.Equal(plan.Steps, first.GetCheckpoint().Steps);
        while (!first.GetCheckpoint().CompletedSteps.Any(s => s.StartsWith("defragment-", StringComparison.Ordinal)))
        {
            await first.UpdateStatusAsync();
        }

        using (var cancelled = new CancellationTokenSource())
        {
            await cancelled.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await first.WaitForCompletionAsync(cancelled.Token));
        }

        Assert.False(first.HasCompleted);
        Assert.NotEmpty(await client.GetAlarmsAsync());
        var saved = await OperationCheckpoint.ReadAsync(path);
        var defragmentedFirst = plan.Members.Single(m => saved.CompletedSteps.Contains($"defragment-{m.Id}"));

        var progress = new SyncProgress<SpaceRecoveryProgress>();
        var resumed = await new SpaceRecovery(client).ResumeAsync(saved, progress, path);
        var report = await resumed.WaitForCompletionAsync();

        Assert.True(report.Succeeded, report.FailureReason);
        Assert.Empty(await client.GetAlarmsAsync());
        Assert.NotEmpty(report.AlarmsDisarmed);
        var defragmentedOnResume = progress.Events.Where(e => e.Stage == SpaceRecoveryStage.DefragmentStarted).Select(e => e.Member).ToList();
        Assert.Equal(2, defragmentedOnResume.Count);
        Assert.DoesNotContain(defragmentedFirst.Name, defragmentedOnResume);
        Assert.True((await OperationCheckpoint.ReadAsync(path)).IsCompleted);
        Assert.True((await client.ProbeWriteAsync()).Revision > 0);
    }
}
