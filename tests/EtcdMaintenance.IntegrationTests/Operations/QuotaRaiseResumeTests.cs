using EtcdMaintenance.Hosting;
using EtcdMaintenance.IntegrationTests.Doctor;
using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Manifests;
using EtcdMaintenance.Operations;

namespace EtcdMaintenance.IntegrationTests.Operations;

/// <summary>A quota raise stopped after its first member resumes from its checkpoint on a real cluster.</summary>
public sealed class QuotaRaiseResumeTests
{
    private const long OldQuota = 16 * 1024 * 1024;
    private static readonly QuotaBackendBytes NewQuota = QuotaBackendBytes.Parse("64MiB");

    [Fact]
    public async Task CancelledAfterTheFirstMember_ResumesFromItsCheckpoint_AndCompletesWithEveryMemberReportingTheNewQuota()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 3, Hosted = true, QuotaBackendBytes = OldQuota });
        await using var client = cluster.CreateClient(o => o.QuotaBackendBytes = null);
        var hosts = cluster.Members.Select(m => (IEtcdMemberHost)m.Host!).ToList();
        var path = Path.Combine(cluster.Root, "quota-raise.checkpoint.json");
        var options = new QuotaRaiseOptions { NewQuota = NewQuota };

        var plan = await new QuotaRaise(client, hosts, options).PlanAsync();
        var first = await new QuotaRaise(client, hosts, options).StartAsync(plan, checkpointPath: path);
        Assert.Equal(plan.Steps, first.GetCheckpoint().Steps);
        while (!first.GetCheckpoint().CompletedSteps.Any(s => s.StartsWith("restart-", StringComparison.Ordinal)))
        {
            await first.UpdateStatusAsync();
        }

        using (var cancelled = new CancellationTokenSource())
        {
            await cancelled.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await first.WaitForCompletionAsync(cancelled.Token));
        }

        Assert.False(first.HasCompleted);
        var raisedFirst = plan.Members[0];
        var index = cluster.Members.ToList().FindIndex(m => m.Name == raisedFirst.Member);
        var pidAfterFirst = cluster.Members[index].Process!.ProcessId;
        var statuses = (await client.GetClusterStatusAsync()).Reachable;
        Assert.Equal(NewQuota.EffectiveBytes, statuses.Single(s => s.MemberId == raisedFirst.MemberId).DbSizeQuota);
        Assert.All(statuses.Where(s => s.MemberId != raisedFirst.MemberId), s => Assert.Equal(OldQuota, s.DbSizeQuota));
        var saved = await OperationCheckpoint.ReadAsync(path);
        Assert.Equal(["check", $"patch-{raisedFirst.MemberId}", $"restart-{raisedFirst.MemberId}"], saved.CompletedSteps);

        var progress = new SyncProgress<QuotaRaiseProgress>();
        var resumed = await new QuotaRaise(client, hosts, options).ResumeAsync(saved, progress, path);
        var report = await resumed.WaitForCompletionAsync();

        Assert.True(report.Succeeded, report.FailureReason);
        Assert.Equal(plan.Members.Select(m => m.Member), report.Members.Select(m => m.Member));
        Assert.Equal(plan.Members.Skip(1).Select(m => m.Member), progress.Events.Where(e => e.Stage == QuotaRaiseStage.Restarting).Select(e => e.Member));
        Assert.Equal(pidAfterFirst, cluster.Members[index].Process!.ProcessId);   // not restarted again
        Assert.All(report.Members, m => Assert.Equal(NewQuota.EffectiveBytes, m.ReportedQuota));
        Assert.All(cluster.Members, m => Assert.Equal("67108864", EtcdManifest.Load(m.Host!.ManifestPath).GetFlag("quota-backend-bytes")));
        Assert.True((await OperationCheckpoint.ReadAsync(path)).IsCompleted);

        // Read afresh by a new client (no cached quota): every member runs with the new quota.
        await using var fresh = cluster.CreateClient(o => o.QuotaBackendBytes = null);
        var after = await fresh.GetClusterStatusAsync();
        Assert.Equal(3, after.Reachable.Count);
        Assert.All(after.Reachable, s => Assert.Equal(NewQuota.EffectiveBytes, s.DbSizeQuota));
        Assert.True((await fresh.ProbeWriteAsync()).Revision > 0);
    }

    [Fact]
    public async Task RaiseQuotaCommand_WritesItsCheckpointOwnerOnly_AndResumingACompletedRunRestartsNothing()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1, Hosted = true, QuotaBackendBytes = OldQuota });
        await using var client = cluster.CreateClient(o => o.QuotaBackendBytes = null);
        var host = cluster.Members[0].Host!;
        var path = Path.Combine(cluster.Root, "raise.checkpoint.json");
        string[] raise = ["raise-quota", "--to", "64MiB", "--local-process", "--manifest", host.ManifestPath, "--endpoints", cluster.Endpoints];

        var (exitCode, _, stderr) = await EtcdDoctorProcess.RunAsync(TimeSpan.FromMinutes(2), [.. raise, "--checkpoint", path]);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("restarting n1", stderr, StringComparison.Ordinal);   // progress, from the handle
        var checkpoint = await OperationCheckpoint.ReadAsync(path);
        Assert.True(checkpoint.IsCompleted);
        Assert.Equal("QuotaRaise", checkpoint.Kind);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var started = await ProcessStartTimeAsync(cluster.Members[0].ClientUrl);

        var resumed = await EtcdDoctorProcess.RunAsync(TimeSpan.FromMinutes(2), [.. raise, "--resume", path]);

        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.DoesNotContain("restarting", resumed.Stderr, StringComparison.Ordinal);
        Assert.Equal(started, await ProcessStartTimeAsync(cluster.Members[0].ClientUrl));   // the same etcd process
        Assert.Equal(NewQuota.EffectiveBytes, (await client.GetStatusAsync(cluster.Endpoint(0))).DbSizeQuota);
    }

    /// <summary>When the member's etcd process started, from its own metrics (the process the test harness started may have been replaced by the CLI's restart).</summary>
    private static async Task<string> ProcessStartTimeAsync(string clientUrl)
    {
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri($"{clientUrl}/metrics"));
        return metrics.Split('\n').Single(l => l.StartsWith("process_start_time_seconds ", StringComparison.Ordinal));
    }
}
