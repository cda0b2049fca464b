using EtcdMaintenance.Manifests;
using EtcdMaintenance.Operations;
using EtcdMaintenance.Tests.Infrastructure;

namespace EtcdMaintenance.Tests.Operations;

/// <summary>The coordinator's steps against an in-memory cluster and host, on an injected clock.</summary>
public sealed class MemberReplacementRunTests : IDisposable
{
    private readonly FakeEtcdCluster _cluster = new();
    private readonly FakeMemberHost _host;
    private readonly SteppingTimeProvider _time = new();
    private readonly string _journals;

    public MemberReplacementRunTests()
    {
        _host = new FakeMemberHost(_cluster, "n2");
        _journals = Path.Combine(_host.Root, "journals");
    }

    public void Dispose() => _host.Dispose();

    private MemberReplacementOptions Options() => new()
    {
        JournalDirectory = _journals,
        PollInterval = TimeSpan.FromMilliseconds(200),
        MaxRetryDelay = TimeSpan.FromSeconds(2),
        MemberChangeTimeout = TimeSpan.FromSeconds(60),
        PromoteTimeout = TimeSpan.FromSeconds(30),
    };

    private MemberReplacementCoordinator Coordinator(IEtcdMaintenanceClient? client = null) => new(client ?? _cluster, Options(), timeProvider: _time);

    private MemberReplacementRequest Request(bool asLearner = true) => new() { MemberName = "n2", Host = _host, PeerUrls = [_cluster["n2"].PeerUrl], AsLearner = asLearner };

    [Fact]
    public async Task FullRun_DoesTheRunbookInOrder_JournalingEachStepBeforeTheNext()
    {
        var oldId = _cluster["n2"].Id;
        var journaledAtStart = new List<MemberReplacementStep>();
        string? journal = null;
        var progress = new SyncProgress<MemberReplacementProgress>(e =>
        {
            if (e.Kind == MemberReplacementProgressKind.StepStarted && journal is not null)
            {
                journaledAtStart.Add(MemberReplacementJournal.Deserialize(File.ReadAllBytes(journal), journal).NextStep);
            }
        });
        var operation = await Coordinator().StartAsync(Request(), progress);
        journal = operation.JournalPath;

        var result = await operation.WaitForCompletionAsync();

        Assert.Equal(Enum.GetValues<MemberReplacementStep>().Where(s => s != MemberReplacementStep.Completed), journaledAtStart);
        Assert.Equal([$"remove {oldId}", $"add {result.NewMemberId} http://10.0.0.2:2380 learner", $"promote {result.NewMemberId}"], _cluster.Changes);
        Assert.Equal(["stop", "archive", "start"], _host.Actions);
        Assert.Equal("n2", _cluster.Members.Single(m => m.Id == result.NewMemberId).Name);
        var manifest = EtcdManifest.Load(_host.ManifestPath);
        Assert.Equal(InitialClusterState.Existing, manifest.GetInitialClusterState());
        Assert.Equal("n1=http://10.0.0.1:2380,n3=http://10.0.0.3:2380,n2=http://10.0.0.2:2380", manifest.GetInitialCluster()!.ToString());
        Assert.True(Directory.Exists(result.ArchivedDataDirectory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(result.Snapshot!.Path));
        Assert.True(operation.HasCompleted);
        Assert.Equal(MemberReplacementStep.Completed, operation.CurrentStep);
        Assert.Equal(MemberReplacementStep.Completed, progress.Events[^1].Step);
    }

    [Fact]
    public async Task RemoveRefusedAsUnhealthyCluster_IsRetriedWithBackoffOnTheInjectedClock_UntilAccepted()
    {
        _cluster.Refuse("MemberRemove", 4, EtcdErrorCode.UnhealthyCluster, "etcdserver: unhealthy cluster");
        var progress = new SyncProgress<MemberReplacementProgress>();
        var operation = await Coordinator().StartAsync(Request(), progress);
        while (operation.CurrentStep != MemberReplacementStep.RemoveMember)
        {
            await operation.UpdateStatusAsync();
        }

        var waited = await _time.RunAsync(operation.UpdateStatusAsync().AsTask(), TimeSpan.FromMilliseconds(100));

        Assert.Equal(MemberReplacementStep.ArchiveDataDirectory, operation.CurrentStep);
        Assert.Equal(4, progress.Events.Count(e => e.Step == MemberReplacementStep.RemoveMember && e.Kind == MemberReplacementProgressKind.Waiting));
        // 200 + 400 + 800 + 1600 ms of backoff.
        Assert.Equal(TimeSpan.FromMilliseconds(3000), waited);
        Assert.Single(_cluster.Changes);
    }

    [Fact]
    public async Task PromotionNotReadyPastTheDeadline_StopsWithContinueAndRollbackAdvice_AndJournalsTheError()
    {
        _cluster.Refuse("MemberPromote", 1000, EtcdErrorCode.LearnerNotReady, "etcdserver: can only promote a learner member which is in sync with leader");
        var operation = await Coordinator().StartAsync(Request());
        while (operation.CurrentStep != MemberReplacementStep.PromoteMember)
        {
            await operation.UpdateStatusAsync();
        }

        var failure = await Assert.ThrowsAsync<MemberReplacementException>(() => _time.RunAsync(operation.UpdateStatusAsync().AsTask(), TimeSpan.FromSeconds(1)));

        Assert.Equal(MemberReplacementStep.PromoteMember, failure.Step);
        Assert.Equal(EtcdErrorCode.SafetyCheckRefused, failure.ErrorCode);
        Assert.Contains("still refused after 30 s", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"resume from journal {operation.JournalPath} (MemberReplacementCoordinator.ResumeAsync)", failure.ContinueAdvice, StringComparison.Ordinal);
        Assert.Contains($"etcdctl member remove {operation.GetCheckpoint().NewMemberId}", failure.RollbackAdvice, StringComparison.Ordinal);
        var journaled = await MemberReplacementJournal.ReadAsync(operation.JournalPath, CancellationToken.None);
        Assert.Equal(MemberReplacementStep.PromoteMember, journaled.NextStep);
        Assert.Contains("can only promote", journaled.LastError, StringComparison.Ordinal);

        // Once etcd accepts, the same operation goes on from where it stopped.
        _cluster.Refusals.Clear();
        await operation.WaitForCompletionAsync();
        Assert.True(operation.HasCompleted);
    }

    [Fact]
    public async Task AddWhosePeerUrlExists_IsTheSameAdd_AndReusesThatMembersId()
    {
        var operation = await Coordinator().StartAsync(Request());
        while (operation.CurrentStep != MemberReplacementStep.AddMember)
        {
            await operation.UpdateStatusAsync();
        }

        // The add reached etcd, but the run that sent it died before journaling.
        var added = await _cluster.AddMemberAsync(["http://10.0.0.2:2380"], asLearner: true);
        await operation.UpdateStatusAsync();

        Assert.Equal(added.Member.Id, operation.GetCheckpoint().NewMemberId);
        Assert.True(operation.GetCheckpoint().CompletedSteps[^1].AlreadyDone);
        Assert.Single(_cluster.Changes, c => c.StartsWith("add", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SecondLearnerPresentAtAdd_StopsBeforeAdding()
    {
        var operation = await Coordinator().StartAsync(Request());
        while (operation.CurrentStep != MemberReplacementStep.AddMember)
        {
            await operation.UpdateStatusAsync();
        }

        _cluster.Members.Add(new FakeMember { Id = new MemberId(0x77), Name = "n9", PeerUrl = "http://10.0.0.9:2380", ClientUrl = "http://10.0.0.9:2379", IsLearner = true });
        var failure = await Assert.ThrowsAsync<MemberReplacementException>(async () => await operation.UpdateStatusAsync());

        Assert.Contains("learner already", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_cluster.Changes, c => c.StartsWith("add", StringComparison.Ordinal));
        Assert.Contains("removed and cannot come back", failure.RollbackAdvice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_NeverRemovesAMemberOtherThanTheOneStartedFor()
    {
        var operation = await Coordinator().StartAsync(Request());
        while (operation.CurrentStep != MemberReplacementStep.RemoveMember)
        {
            await operation.UpdateStatusAsync();
        }

        // Someone renamed things under us: the ID now belongs to a member with other peer URLs.
        var index = _cluster.Members.FindIndex(m => m.Name == "n2");
        _cluster.Members[index] = new FakeMember { Id = _cluster.Members[index].Id, Name = "n2", PeerUrl = "http://10.0.0.99:2380", ClientUrl = "http://10.0.0.99:2379" };

        await Assert.ThrowsAsync<MemberReplacementException>(async () => await operation.UpdateStatusAsync());
        Assert.Empty(_cluster.Changes);
    }

    [Fact]
    public async Task Remove_RefusesWhenAnotherMemberWentDown_QuorumWouldBeLost()
    {
        var operation = await Coordinator().StartAsync(Request());
        while (operation.CurrentStep != MemberReplacementStep.RemoveMember)
        {
            await operation.UpdateStatusAsync();
        }

        _cluster["n3"].Running = false;
        var failure = await Assert.ThrowsAsync<MemberReplacementException>(async () => await operation.UpdateStatusAsync());

        Assert.Contains("below the quorum of 2", failure.Message, StringComparison.Ordinal);
        Assert.Contains("start it again", failure.RollbackAdvice, StringComparison.Ordinal);
        Assert.Empty(_cluster.Changes);
    }

    [Fact]
    public async Task Resume_RefusesAJournalOfAnotherCluster_OrAnotherHost()
    {
        var operation = await Coordinator().StartAsync(Request());
        var other = new FakeEtcdCluster();
        using var otherHost = new FakeMemberHost(_cluster, "n3");

        var wrongHost = await Assert.ThrowsAsync<EtcdSafetyCheckException>(() => Coordinator().ResumeAsync(operation.JournalPath, otherHost));
        await File.WriteAllBytesAsync(operation.JournalPath, MemberReplacementJournal.Serialize(operation.GetCheckpoint() with { ClusterId = 0xdead }));
        var wrongCluster = await Assert.ThrowsAsync<EtcdSafetyCheckException>(() => Coordinator(other).ResumeAsync(operation.JournalPath, _host));

        Assert.Contains("manifest", wrongHost.Message, StringComparison.Ordinal);
        Assert.Contains("cluster dead", wrongCluster.Message, StringComparison.Ordinal);
        Assert.Empty(_cluster.Changes);
    }

    [Fact]
    public async Task Start_RefusesWithTheFirstFailedPrecondition_WritingNothing()
    {
        _cluster["n3"].Running = false;

        var error = await Assert.ThrowsAsync<EtcdSafetyCheckException>(() => Coordinator().StartAsync(Request()));

        Assert.Contains("No other member is down", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(_journals, "*.json"));
        Assert.Empty(_host.Actions);
    }

    [Fact]
    public async Task WatchProgress_ReplaysThenFollows_UntilCompleted()
    {
        var operation = await Coordinator().StartAsync(Request());
        await operation.UpdateStatusAsync();
        var watched = new List<MemberReplacementProgress>();
        var watcher = Task.Run(async () =>
        {
            await foreach (var item in operation.WatchProgressAsync())
            {
                watched.Add(item);
            }
        });

        await operation.WaitForCompletionAsync();
        await watcher.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(MemberReplacementStep.Snapshot, watched[0].Step);
        Assert.Equal(MemberReplacementProgressKind.Completed, watched[^1].Kind);
    }

    [Fact]
    public async Task Cancellation_StopsAtTheNextStepBoundary_AndTheJournalSaysWhere()
    {
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress<MemberReplacementProgress>(e =>
        {
            if (e.Step == MemberReplacementStep.StopMember && e.Kind == MemberReplacementProgressKind.StepCompleted)
            {
                cancel.Cancel();
            }
        });
        var operation = await Coordinator().StartAsync(Request(), progress);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await operation.WaitForCompletionAsync(cancel.Token));

        Assert.Equal(MemberReplacementStep.RemoveMember, operation.CurrentStep);
        Assert.Equal(MemberReplacementStep.RemoveMember, (await MemberReplacementJournal.ReadAsync(operation.JournalPath, CancellationToken.None)).NextStep);
        Assert.Empty(_cluster.Changes);
    }
}
