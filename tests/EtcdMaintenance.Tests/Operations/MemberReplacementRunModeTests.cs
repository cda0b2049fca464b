using EtcdMaintenance.Operations;
using EtcdMaintenance.Tests.Infrastructure;

namespace EtcdMaintenance.Tests.Operations;

/// <summary>The journal records the node and the run mode, and a resume refuses a host for another node or run mode.</summary>
public sealed class MemberReplacementRunModeTests : IDisposable
{
    private readonly FakeEtcdCluster _cluster = new();
    private readonly FakeMemberHost _host;

    public MemberReplacementRunModeTests() => _host = new FakeMemberHost(_cluster, "n2");

    public void Dispose() => _host.Dispose();

    private MemberReplacementCoordinator Coordinator() => new(_cluster, new MemberReplacementOptions
    {
        JournalDirectory = Path.Combine(_host.Root, "journals"),
        PollInterval = TimeSpan.FromMilliseconds(200),
        MaxRetryDelay = TimeSpan.FromSeconds(2),
    }, timeProvider: new FakeTimeProvider());

    [Fact]
    public async Task Journal_RecordsTheNodeAndRunModeOfTheOperationAndOfEveryStep()
    {
        var operation = await Coordinator().StartAsync(new MemberReplacementRequest { MemberName = "n2", Host = _host, PeerUrls = [_cluster["n2"].PeerUrl] });
        await operation.WaitForCompletionAsync();

        var journal = MemberReplacementJournal.Deserialize(File.ReadAllBytes(operation.JournalPath), operation.JournalPath);
        Assert.Equal((_host.Name, nameof(FakeMemberHost)), (journal.HostName, journal.RunMode));
        Assert.NotEmpty(journal.CompletedSteps);
        Assert.All(journal.CompletedSteps, s => Assert.Equal((_host.Name, nameof(FakeMemberHost)), (s.Node, s.RunMode)));
    }

    [Fact]
    public async Task Resume_RefusesAHostForAnotherNodeOrRunMode_AndChangesNothing()
    {
        var operation = await Coordinator().StartAsync(new MemberReplacementRequest { MemberName = "n2", Host = _host, PeerUrls = [_cluster["n2"].PeerUrl] });
        var checkpoint = operation.GetCheckpoint();

        await File.WriteAllBytesAsync(operation.JournalPath, MemberReplacementJournal.Serialize(checkpoint with { HostName = "cp-9" }));
        var otherNode = await Assert.ThrowsAsync<EtcdSafetyCheckException>(() => Coordinator().ResumeAsync(operation.JournalPath, _host));
        await File.WriteAllBytesAsync(operation.JournalPath, MemberReplacementJournal.Serialize(checkpoint with { RunMode = "kubeadm-static-pod" }));
        var otherMode = await Assert.ThrowsAsync<EtcdSafetyCheckException>(() => Coordinator().ResumeAsync(operation.JournalPath, _host));
        await File.WriteAllBytesAsync(operation.JournalPath, MemberReplacementJournal.Serialize(checkpoint with { RunMode = null, HostName = "cp-9" }));
        var journalBeforeRunModes = await Coordinator().ResumeAsync(operation.JournalPath, _host);

        Assert.Contains("on cp-9", otherNode.Message, StringComparison.Ordinal);
        Assert.Contains("as kubeadm-static-pod", otherMode.Message, StringComparison.Ordinal);
        Assert.False(journalBeforeRunModes.HasCompleted);
        Assert.Empty(_cluster.Changes);
        Assert.Empty(_host.Actions);
    }
}
