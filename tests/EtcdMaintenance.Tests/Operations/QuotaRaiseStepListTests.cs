using EtcdMaintenance.Hosting;
using EtcdMaintenance.Manifests;
using EtcdMaintenance.Operations;
using EtcdMaintenance.Tests.Infrastructure;

namespace EtcdMaintenance.Tests.Operations;

/// <summary>
/// A quota raise runs the steps its plan describes, in that order, and skips the steps whose work is done: a flag file
/// that already has the quota, a member that already reports it.
/// </summary>
public sealed class QuotaRaiseStepListTests : IDisposable
{
    private static readonly QuotaBackendBytes NewQuota = QuotaBackendBytes.Parse("64MiB");
    private readonly FakeEtcdCluster _cluster = new();
    private readonly QuotaReportingClient _client;
    private readonly List<FakeMemberHost> _fakeHosts;
    private readonly List<RestartingHost> _hosts;
    private readonly FakeTimeProvider _time = new();

    public QuotaRaiseStepListTests()
    {
        _client = new QuotaReportingClient(_cluster);
        _fakeHosts = [.. _cluster.Members.Select(m => new FakeMemberHost(_cluster, m.Name))];
        _hosts = [.. _fakeHosts.Select((h, i) => new RestartingHost(h, _client, _cluster.Members[i].Id))];
    }

    [Fact]
    public async Task ThePlansSteps_AreTheStepsTheRunRuns_InOrder_LeaderLast()
    {
        var raise = new QuotaRaise(_client, [.. _hosts], new QuotaRaiseOptions { NewQuota = NewQuota }, timeProvider: _time);
        var plan = await raise.PlanAsync();
        var operation = await raise.StartAsync(plan);
        var checkpoint = operation.GetCheckpoint();
        var leader = _cluster["n1"].Id;
        var followers = plan.Members.Take(2).Select(m => m.MemberId).ToList();

        Assert.Equal(plan.Steps, checkpoint.Steps);
        Assert.Equal(
            ["check", $"patch-{followers[0]}", $"restart-{followers[0]}", $"patch-{followers[1]}", $"restart-{followers[1]}", $"patch-{leader}", $"restart-{leader}", "disarm-nospace", "verify"],
            checkpoint.StepNames);
        Assert.Equal(checkpoint.StepNames.Count, plan.Steps.Count);
        Assert.Equal(Enumerable.Range(1, plan.Steps.Count), plan.Steps.Select(s => s.Number));
        Assert.Contains("(the leader, last)", plan.Steps[6].Description, StringComparison.Ordinal);

        // One step per UpdateStatusAsync, in the plan's order.
        for (var i = 0; i < checkpoint.StepNames.Count; i++)
        {
            await operation.UpdateStatusAsync();
            Assert.Equal(checkpoint.StepNames.Take(i + 1), operation.GetCheckpoint().CompletedSteps);
        }

        var report = await operation.WaitForCompletionAsync();
        Assert.True(report.Succeeded, report.FailureReason);
        Assert.Equal(plan.Members.Select(m => m.Member), report.Members.Select(m => m.Member));
        Assert.All(report.Members, m => Assert.True(m.Restarted));
        Assert.All(report.Members, m => Assert.NotNull(m.BackupPath));
        Assert.All(report.Members, m => Assert.Equal(NewQuota.EffectiveBytes, m.ReportedQuota));
        Assert.Equal(plan.Members.Select(m => m.Host), _hosts.Where(h => h.Applied > 0).OrderBy(h => h.AppliedAt).Select(h => h.Name));
        Assert.All(_hosts, h => Assert.Equal(1, h.Applied));
    }

    [Fact]
    public async Task AFlagFileThatHasTheQuota_IsNotPatched_AndAMemberReportingIt_IsNotRestarted()
    {
        // n2 was raised by hand before: its flag file has the quota and it runs with it.
        var n2 = _hosts.Single(h => h.Name == "n2");
        var manifest = await n2.LoadManifestAsync();
        await n2.SaveManifestAsync(manifest.SetQuotaBackendBytes(NewQuota, new QuotaChangeOptions()));
        _client.Quotas[_cluster["n2"].Id] = NewQuota.EffectiveBytes;
        var before = File.ReadAllText(n2.ManifestPath);
        var raise = new QuotaRaise(_client, [.. _hosts], new QuotaRaiseOptions { NewQuota = NewQuota }, timeProvider: _time);

        var plan = await raise.PlanAsync();
        var progress = new SyncProgress<QuotaRaiseProgress>();
        var report = await raise.ExecuteAsync(plan, progress);

        Assert.True(plan.Members.Single(m => m.Member == "n2").AlreadySet);
        Assert.DoesNotContain(plan.Steps, s => s.Description.StartsWith($"Patch {n2.ManifestPath}", StringComparison.Ordinal));
        Assert.Equal(8, plan.Steps.Count);
        Assert.Equal(0, n2.Applied);
        Assert.Equal(before, File.ReadAllText(n2.ManifestPath));
        var n2Report = report.Members.Single(m => m.Member == "n2");
        Assert.False(n2Report.Restarted);
        Assert.Null(n2Report.BackupPath);
        Assert.Equal(NewQuota.EffectiveBytes, n2Report.ReportedQuota);
        Assert.Contains(progress.Events, e => e is { Stage: QuotaRaiseStage.Skipped, Member: "n2" });
        Assert.Equal(2, report.Members.Count(m => m.Restarted));
        Assert.True(report.Succeeded, report.FailureReason);
    }

    [Fact]
    public async Task ResumedAfterTheFirstMember_RunsOnlyTheRest_AndAPatchedMemberNotYetReportingTheQuotaIsRestarted()
    {
        var path = Path.Combine(_fakeHosts[0].Root, "quota-raise.checkpoint.json");
        var raise = new QuotaRaise(_client, [.. _hosts], new QuotaRaiseOptions { NewQuota = NewQuota }, timeProvider: _time);
        var plan = await raise.PlanAsync();
        var first = await raise.StartAsync(plan, checkpointPath: path);
        while (!first.GetCheckpoint().CompletedSteps.Any(s => s.StartsWith("restart-", StringComparison.Ordinal)))
        {
            await first.UpdateStatusAsync();
        }

        await first.UpdateStatusAsync();   // the second member's flag file is patched; it has not restarted yet
        var second = plan.Members[1];
        Assert.Contains($"patch-{second.MemberId}", first.GetCheckpoint().CompletedSteps);
        Assert.False(first.HasCompleted);

        var saved = await OperationCheckpoint.ReadAsync(path);
        var progress = new SyncProgress<QuotaRaiseProgress>();
        var resumed = await new QuotaRaise(_client, [.. _hosts], new QuotaRaiseOptions { NewQuota = NewQuota }, timeProvider: _time).ResumeAsync(saved, progress, path);
        var report = await resumed.WaitForCompletionAsync();

        Assert.True(report.Succeeded, report.FailureReason);
        Assert.All(_hosts, h => Assert.Equal(1, h.Applied));   // nobody restarted twice
        Assert.Equal([second.Member, plan.Members[2].Member], progress.Events.Where(e => e.Stage == QuotaRaiseStage.Restarting).Select(e => e.Member));
        Assert.DoesNotContain(progress.Events, e => e.Stage == QuotaRaiseStage.ManifestPatched && e.Member == second.Member);
        Assert.False(report.Members[0].Restarted);   // done before the resume: read as it is now
        Assert.Equal(NewQuota.EffectiveBytes, report.Members[0].ReportedQuota);
        Assert.True((await OperationCheckpoint.ReadAsync(path)).IsCompleted);
    }

    [Fact]
    public async Task AResumeFoundDone_SkipsTheMembersWhoseFlagFileAndReportedQuotaAreSet()
    {
        var raise = new QuotaRaise(_client, [.. _hosts], new QuotaRaiseOptions { NewQuota = NewQuota }, timeProvider: _time);
        var plan = await raise.PlanAsync();
        var first = await raise.StartAsync(plan);
        await first.UpdateStatusAsync();
        var checkpoint = first.GetCheckpoint();

        // Everything was raised by hand meanwhile.
        foreach (var host in _hosts)
        {
            await host.SaveManifestAsync((await host.LoadManifestAsync()).SetQuotaBackendBytes(NewQuota, new QuotaChangeOptions()));
            await host.ApplyManifestAsync();
        }

        var progress = new SyncProgress<QuotaRaiseProgress>();
        var report = await (await raise.ResumeAsync(checkpoint, progress)).WaitForCompletionAsync();

        Assert.True(report.Succeeded, report.FailureReason);
        Assert.All(_hosts, h => Assert.Equal(1, h.Applied));
        Assert.DoesNotContain(progress.Events, e => e.Stage is QuotaRaiseStage.ManifestPatched or QuotaRaiseStage.Restarting);
        Assert.Equal(3, progress.Events.Count(e => e.Stage == QuotaRaiseStage.Skipped));
        Assert.All(report.Members, m => Assert.False(m.Restarted));
    }

    [Fact]
    public async Task AResumeOfACompletedRun_RestartsNothing_AndVerifiesWritesAgain()
    {
        var raise = new QuotaRaise(_client, [.. _hosts], new QuotaRaiseOptions { NewQuota = NewQuota }, timeProvider: _time);
        var operation = await raise.StartAsync(await raise.PlanAsync());
        await operation.WaitForCompletionAsync();
        Assert.True(operation.GetCheckpoint().IsCompleted);
        Assert.Equal(1, _client.ProbeWrites);

        var report = await (await raise.ResumeAsync(operation.GetCheckpoint())).WaitForCompletionAsync();

        Assert.True(report.Succeeded, report.FailureReason);
        Assert.True(report.ProbeWriteSucceeded);
        Assert.Equal(2, _client.ProbeWrites);   // the resumed run's own verification
        Assert.All(_hosts, h => Assert.Equal(1, h.Applied));
        Assert.All(report.Members, m => Assert.Equal(NewQuota.EffectiveBytes, m.ReportedQuota));
    }

    [Fact]
    public async Task StartingAPlanAfterTheLeaderMoved_IsRefusedBeforeAnyChange()
    {
        var raise = new QuotaRaise(_client, [.. _hosts], new QuotaRaiseOptions { NewQuota = NewQuota }, timeProvider: _time);
        var plan = await raise.PlanAsync();
        var before = _hosts.Select(h => File.ReadAllText(h.ManifestPath)).ToList();
        _cluster.Leader = _cluster["n2"].Id;

        var refused = await Assert.ThrowsAsync<EtcdSafetyCheckException>(() => raise.StartAsync(plan));

        Assert.Contains("the leader was n1, it is n2", refused.Message, StringComparison.Ordinal);
        Assert.Contains("plan again", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, _hosts.Select(h => File.ReadAllText(h.ManifestPath)).ToList());
    }

    [Fact]
    public async Task StartingAPlanWithOtherOptionsQuota_IsRefused_AndACheckpointOfAnotherKindIsNotResumed()
    {
        var plan = await new QuotaRaise(_client, [.. _hosts], new QuotaRaiseOptions { NewQuota = NewQuota }, timeProvider: _time).PlanAsync();
        var other = new QuotaRaise(_client, [.. _hosts], new QuotaRaiseOptions { NewQuota = QuotaBackendBytes.Parse("128MiB") }, timeProvider: _time);

        var refused = await Assert.ThrowsAsync<EtcdSafetyCheckException>(() => other.StartAsync(plan));
        var notOurs = await Assert.ThrowsAsync<InvalidDataException>(() => other.ResumeAsync(new OperationCheckpoint
        {
            OperationId = "space-recovery-1",
            Kind = "SpaceRecovery",
            CreatedAt = _time.GetUtcNow(),
            UpdatedAt = _time.GetUtcNow(),
        }));

        Assert.Contains("the plan sets 67108864, these options 134217728", refused.Message, StringComparison.Ordinal);
        Assert.Contains("space-recovery-1", notOurs.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var host in _fakeHosts)
        {
            host.Dispose();
        }
    }

    /// <summary>The fake cluster, with members that report the quota they run with (as etcd 3.6 does in its status).</summary>
    private sealed class QuotaReportingClient(FakeEtcdCluster cluster) : FakeClient(cluster)
    {
        public Dictionary<MemberId, long> Quotas { get; } = [];

        public int ProbeWrites { get; private set; }

        public override Task<ResponseHeader> ProbeWriteAsync(CancellationToken cancellationToken = default)
        {
            ProbeWrites++;
            return base.ProbeWriteAsync(cancellationToken);
        }

        public override async Task<EndpointStatus> GetStatusAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken = default)
        {
            var status = await base.GetStatusAsync(endpoint, cancellationToken);
            return Quotas.TryGetValue(status.MemberId, out var quota) ? status with { DbSizeQuota = quota, QuotaSource = EtcdQuotaSource.StatusResponse } : status;
        }
    }

    /// <summary>A fake member host whose member runs with its flag file's quota once told to apply it.</summary>
    private sealed class RestartingHost(FakeMemberHost inner, QuotaReportingClient client, MemberId member) : IEtcdMemberHost
    {
        private static int s_applies;

        public int Applied { get; private set; }

        public int AppliedAt { get; private set; }

        public string Name => inner.Name;

        public string ManifestPath => inner.ManifestPath;

        public bool RestartsOnManifestChange => false;

        public Task<EtcdFlagFile> LoadManifestAsync(CancellationToken cancellationToken = default) => inner.LoadManifestAsync(cancellationToken);

        public Task<ManifestSaveResult> SaveManifestAsync(EtcdFlagFile manifest, bool dryRun = false, CancellationToken cancellationToken = default) =>
            inner.SaveManifestAsync(manifest, dryRun, cancellationToken);

        public async Task ApplyManifestAsync(CancellationToken cancellationToken = default)
        {
            Applied++;
            AppliedAt = Interlocked.Increment(ref s_applies);
            if ((await inner.LoadManifestAsync(cancellationToken)).GetQuotaBackendBytes() is { } quota)
            {
                client.Quotas[member] = quota.EffectiveBytes;
            }
        }

        public Task<bool> IsStartedAsync(CancellationToken cancellationToken = default) => inner.IsStartedAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken = default) => inner.StopAsync(cancellationToken);

        public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

        public Task<string?> ArchiveDataDirectoryAsync(string dataDirectory, CancellationToken cancellationToken = default) => inner.ArchiveDataDirectoryAsync(dataDirectory, cancellationToken);
    }
}
