using System.Diagnostics;
using EtcdMaintenance.Hosting;
using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Manifests;
using EtcdMaintenance.Operations;

namespace EtcdMaintenance.IntegrationTests.Operations;

/// <summary>Quota raise on a real 3-member cluster whose members run from manifests through local-process hosts.</summary>
public sealed class QuotaRaiseTests
{
    private const long OldQuota = 16 * 1024 * 1024;

    [Fact]
    public async Task Raise_RestartsEachMemberInTurnWithTheNewQuota_WhileWritesKeepWorking()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 3, Hosted = true, QuotaBackendBytes = OldQuota });
        await using var client = cluster.CreateClient(o => o.QuotaBackendBytes = null);
        var hosts = cluster.Members.Select(m => (IEtcdMemberHost)m.Host!).ToList();
        var pidsBefore = cluster.Members.Select(m => m.Process!.ProcessId).ToList();
        var raise = new QuotaRaise(client, hosts, new QuotaRaiseOptions { NewQuota = QuotaBackendBytes.Parse("64MiB") });

        var plan = await raise.PlanAsync();
        Assert.Equal(3, plan.Members.Count);
        Assert.True(plan.Members[^1].IsLeader);
        Assert.All(plan.Members, m => Assert.Contains("+    - --quota-backend-bytes=67108864", m.Diff, StringComparison.Ordinal));
        Assert.All(cluster.Members, m => Assert.Contains($"--quota-backend-bytes={OldQuota}", File.ReadAllText(m.Host!.ManifestPath), StringComparison.Ordinal));

        // A writer runs throughout; the longest run of failed writes must stay within about one leader election.
        using var stop = new CancellationTokenSource();
        var acknowledged = new List<string>();
        var longestOutage = TimeSpan.Zero;
        var writer = Task.Run(async () =>
        {
            Stopwatch? failingSince = null;
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    await client.PutAsync($"/writer/{i:D6}", "v"u8.ToArray());
                    acknowledged.Add($"/writer/{i:D6}");
                    if (failingSince is not null && failingSince.Elapsed > longestOutage)
                    {
                        longestOutage = failingSince.Elapsed;
                    }

                    failingSince = null;
                }
                catch (EtcdException)
                {
                    failingSince ??= Stopwatch.StartNew();
                }

                await Task.Delay(20);
            }
        });

        var progress = new SyncProgress<QuotaRaiseProgress>();
        var report = await raise.ExecuteAsync(progress);
        await stop.CancelAsync();
        await writer;

        Assert.Equal(3, report.Members.Count(m => m.Restarted));
        Assert.All(report.Members, m => Assert.NotNull(m.BackupPath));
        Assert.All(report.Members, m => Assert.Equal(64L << 20, m.ReportedQuota));   // read from each member after its restart
        Assert.True(report.Succeeded, report.FailureReason);
        var restarts = progress.Events.Where(e => e.Stage is QuotaRaiseStage.Restarting or QuotaRaiseStage.MemberBack).Select(e => (e.Stage, e.Member)).ToList();
        for (var i = 0; i < restarts.Count; i += 2)
        {
            // One at a time: each restart is followed by that same member being back before the next starts.
            Assert.Equal((QuotaRaiseStage.Restarting, restarts[i].Member), restarts[i]);
            Assert.Equal((QuotaRaiseStage.MemberBack, restarts[i].Member), restarts[i + 1]);
        }

        Assert.All(cluster.Members.Select((m, i) => (m, i)), x => Assert.NotEqual(pidsBefore[x.i], x.m.Process!.ProcessId));
        Assert.All(cluster.Members, m => Assert.Equal("67108864", EtcdManifest.Load(m.Host!.ManifestPath).GetFlag("quota-backend-bytes")));
        Assert.True(longestOutage < TimeSpan.FromSeconds(5), $"writes failed for {longestOutage}");
        var stored = await client.GetPrefixAsync("/writer/");
        Assert.All(acknowledged, key => Assert.True(stored.ContainsKey(key), $"{key} was acknowledged but is gone"));

        // More than the old quota now fits.
        var value = new byte[900 * 1024];
        for (var i = 0; i < 30; i++)
        {
            await client.PutAsync($"/big/{i}", value);
        }

        Assert.All((await client.GetClusterStatusAsync()).Reachable, s => Assert.True(s.DbSize > OldQuota, $"{s.Endpoint}: {s.DbSize}"));
        Assert.Empty(await client.GetAlarmsAsync());
    }

    [Fact]
    public async Task Raise_UnderNoSpace_EndsWithNoSpaceDisarmedAndWritesWorking()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 3, Hosted = true, QuotaBackendBytes = OldQuota });
        await using var client = cluster.CreateClient();
        await cluster.FillToNoSpaceAsync(client, "/fill/", distinctKeys: 4);
        await Retry.UntilAsync(async () => (await client.GetAlarmsAsync()).Any(a => a.Type == EtcdAlarmType.NoSpace), "a NOSPACE alarm");
        await Assert.ThrowsAsync<EtcdNoSpaceException>(() => client.PutAsync("/before", "x"u8.ToArray()));
        var progress = new SyncProgress<QuotaRaiseProgress>();

        var report = await new QuotaRaise(client, cluster.Members.Select(m => (IEtcdMemberHost)m.Host!).ToList(),
            new QuotaRaiseOptions { NewQuota = QuotaBackendBytes.Parse("64MiB") }).ExecuteAsync(progress);

        Assert.True(report.Succeeded, report.FailureReason);
        Assert.True(report.ProbeWriteSucceeded);
        Assert.NotEmpty(report.AlarmsDisarmed);
        Assert.All(report.AlarmsDisarmed, a => Assert.Equal(EtcdAlarmType.NoSpace, a.Type));
        Assert.Empty(await client.GetAlarmsAsync());
        Assert.Contains(progress.Events, e => e.Stage == QuotaRaiseStage.NoSpaceAlarm && e.Message.Contains("disarmed NOSPACE", StringComparison.Ordinal));
        Assert.Contains("writes work", progress.Events[^1].Message, StringComparison.Ordinal);
        await client.PutAsync("/after", new byte[900 * 1024]);
    }

    [Fact]
    public async Task Raise_WithAMemberDown_RefusesAndChangesNoManifest()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 3, Hosted = true, QuotaBackendBytes = OldQuota });
        await using var client = cluster.CreateClient();
        await cluster.StopMemberAsync(2);
        var before = cluster.Members.Select(m => File.ReadAllText(m.Host!.ManifestPath)).ToList();
        var raise = new QuotaRaise(client, cluster.Members.Select(m => (IEtcdMemberHost)m.Host!).ToList(), new QuotaRaiseOptions { NewQuota = QuotaBackendBytes.Parse("64MiB") });

        var error = await Assert.ThrowsAsync<EtcdSafetyCheckException>(() => raise.ExecuteAsync());

        Assert.Contains("n3", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, cluster.Members.Select(m => File.ReadAllText(m.Host!.ManifestPath)).ToList());
    }

    [Fact]
    public async Task Raise_BelowTheCurrentDatabaseSize_IsRefusedBeforeAnyChange()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1, Hosted = true, QuotaBackendBytes = OldQuota });
        await using var client = cluster.CreateClient();
        await client.PutAsync("/big", new byte[900 * 1024]);
        // The backend commits in batches: wait until the status shows the larger file.
        await Retry.UntilAsync(async () => (await client.GetStatusAsync(cluster.Endpoint(0))).DbSize > 900 * 1024, "the DB size to grow");
        var before = File.ReadAllText(cluster.Members[0].Host!.ManifestPath);
        var raise = new QuotaRaise(client, [cluster.Members[0].Host!], new QuotaRaiseOptions { NewQuota = new QuotaBackendBytes(64 * 1024) });

        var error = await Assert.ThrowsAsync<ManifestException>(() => raise.ExecuteAsync());

        Assert.Equal(ManifestErrorCode.QuotaBelowDatabaseSize, error.ErrorCode);
        Assert.Equal(before, File.ReadAllText(cluster.Members[0].Host!.ManifestPath));
    }
}
