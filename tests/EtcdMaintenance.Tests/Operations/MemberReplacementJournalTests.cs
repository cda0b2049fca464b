using System.Text;
using EtcdMaintenance.Operations;
using FsCheck.Xunit;

namespace EtcdMaintenance.Tests.Operations;

public sealed class MemberReplacementJournalTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("journal-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    internal static MemberReplacementCheckpoint Sample(MemberReplacementStep next = MemberReplacementStep.AddMember, ulong clusterId = 0x5c72ca3e1c6b0e4dUL, string member = "n2") => new()
    {
        OperationId = $"{member}-20260101T000000Z-abcdef",
        ClusterId = clusterId,
        MemberName = member,
        OldMemberId = MemberId.ParseHex("8e9e05c52164694d"),
        OldPeerUrls = ["https://10.0.0.2:2380"],
        NewMemberId = next > MemberReplacementStep.AddMember ? MemberId.ParseHex("fd422379fda50e48") : null,
        PeerUrls = ["https://10.0.0.2:2380"],
        ClientUrls = ["https://10.0.0.2:2379"],
        AsLearner = true,
        VoterCount = 3,
        HostName = "node-2",
        ManifestPath = "/etc/kubernetes/manifests/etcd.yaml",
        DataDirectory = "/var/lib/etcd",
        ArchivedDataDirectory = "/var/lib/etcd.replaced-20260101T000001Z",
        Snapshot = new MemberReplacementSnapshot
        {
            Path = "/var/lib/etcd-maintenance/journals/x.snapshot.db",
            Sha256 = new string('a', 64),
            Size = 4128,
            Revision = 42,
            Source = "n1",
        },
        LeaderMovedTo = null,
        NextStep = next,
        CompletedSteps = [new MemberReplacementStepRecord
        {
            Step = MemberReplacementStep.Snapshot,
            CompletedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 1, TimeSpan.Zero),
            AlreadyDone = false,
            Note = "snapshot taken",
        }],
        CreatedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
        UpdatedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 1, TimeSpan.Zero),
    };

    [Fact]
    public void Serialize_WritesIdsAsEtcdctlHex_StepsByName_AndReadsBackEqual()
    {
        var checkpoint = Sample(MemberReplacementStep.UpdateManifest);

        var json = Encoding.UTF8.GetString(MemberReplacementJournal.Serialize(checkpoint));
        var back = MemberReplacementJournal.Deserialize(Encoding.UTF8.GetBytes(json), "test");

        Assert.Contains("\"version\": 1", json, StringComparison.Ordinal);
        Assert.Contains("\"clusterId\": \"5c72ca3e1c6b0e4d\"", json, StringComparison.Ordinal);
        Assert.Contains("\"oldMemberId\": \"8e9e05c52164694d\"", json, StringComparison.Ordinal);
        Assert.Contains("\"newMemberId\": \"fd422379fda50e48\"", json, StringComparison.Ordinal);
        Assert.Contains("\"nextStep\": \"UpdateManifest\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("leaderMovedTo", json, StringComparison.Ordinal);
        Assert.Equal(checkpoint.OperationId, back.OperationId);
        Assert.Equal(checkpoint.ClusterId, back.ClusterId);
        Assert.Equal(checkpoint.NewMemberId, back.NewMemberId);
        Assert.Equal(checkpoint.PeerUrls, back.PeerUrls);
        Assert.Equal(checkpoint.Snapshot, back.Snapshot);
        Assert.Equal(checkpoint.CompletedSteps, back.CompletedSteps);
        Assert.Equal(checkpoint.NextStep, back.NextStep);
    }

    [Property]
    public bool RoundTrip_PreservesIdsAndSteps_ForAnyValues(ulong cluster, ulong old, ulong added, MemberReplacementStep step)
    {
        var checkpoint = Sample(step, cluster) with { OldMemberId = new MemberId(old), NewMemberId = new MemberId(added) };
        var back = MemberReplacementJournal.Deserialize(MemberReplacementJournal.Serialize(checkpoint), "prop");
        return back.ClusterId == cluster && back.OldMemberId.Value == old && back.NewMemberId == new MemberId(added) && back.NextStep == step;
    }

    [Fact]
    public void Deserialize_RefusesAnotherVersion_SayingWhichItReads()
    {
        var json = Encoding.UTF8.GetString(MemberReplacementJournal.Serialize(Sample())).Replace("\"version\": 1", "\"version\": 2", StringComparison.Ordinal);

        var error = Assert.Throws<InvalidDataException>(() => MemberReplacementJournal.Deserialize(Encoding.UTF8.GetBytes(json), "j.json"));

        Assert.Contains("version 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("reads version 1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("{\"version\": 1}")]
    [InlineData("{\"version\": 1, \"operationId\": \"x\", \"clusterId\": \"zz\"}")]
    public void Deserialize_RejectsWhatIsNotAJournal(string text) =>
        Assert.Throws<InvalidDataException>(() => MemberReplacementJournal.Deserialize(Encoding.UTF8.GetBytes(text), "j.json"));

    [Fact]
    public async Task Write_IsOwnerOnly_ReplacesAtomically_AndLeavesNoTemporaryFile()
    {
        var path = MemberReplacementJournal.PathFor(Path.Combine(_directory, "journals"), "n2-x");

        await MemberReplacementJournal.WriteAsync(path, Sample(MemberReplacementStep.AddMember), CancellationToken.None);
        await MemberReplacementJournal.WriteAsync(path, Sample(MemberReplacementStep.UpdateManifest), CancellationToken.None);

        Assert.Equal(MemberReplacementStep.UpdateManifest, (await MemberReplacementJournal.ReadAsync(path, CancellationToken.None)).NextStep);
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        }
    }

    [Fact]
    public async Task FindOpen_ListsUnfinishedJournalsOfThisCluster_AndUnreadableFiles_NotCompletedOrOtherClusters()
    {
        await MemberReplacementJournal.WriteAsync(MemberReplacementJournal.PathFor(_directory, "open"), Sample(MemberReplacementStep.StartMember), CancellationToken.None);
        await MemberReplacementJournal.WriteAsync(MemberReplacementJournal.PathFor(_directory, "done"), Sample(MemberReplacementStep.Completed), CancellationToken.None);
        await MemberReplacementJournal.WriteAsync(MemberReplacementJournal.PathFor(_directory, "other"), Sample(MemberReplacementStep.StartMember, clusterId: 7), CancellationToken.None);
        await File.WriteAllTextAsync(Path.Combine(_directory, MemberReplacementJournal.FilePrefix + "broken.json"), "{");

        var open = await MemberReplacementJournal.FindOpenAsync(_directory, 0x5c72ca3e1c6b0e4dUL, CancellationToken.None);

        Assert.Equal(2, open.Count);
        Assert.Contains(open, o => o.Path.EndsWith("broken.json", StringComparison.Ordinal) && o.Error is not null);
        Assert.Contains(open, o => o.Path.EndsWith("open.json", StringComparison.Ordinal) && o.Checkpoint!.NextStep == MemberReplacementStep.StartMember);
    }

    [Fact]
    public void NewOperationId_NamesTheMemberAndTime_SafeForAFileName()
    {
        var id = MemberReplacementJournal.NewOperationId("etcd/node 1", new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));

        Assert.StartsWith("etcd_node_1-20260101T000000Z-", id, StringComparison.Ordinal);
        Assert.Equal(-1, id.IndexOfAny(Path.GetInvalidFileNameChars()));
    }
}
