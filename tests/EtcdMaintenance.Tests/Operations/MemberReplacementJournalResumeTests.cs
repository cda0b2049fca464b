using System.Text.Json;
using EtcdMaintenance.Operations;
using EtcdMaintenance.Tests.Infrastructure;

namespace EtcdMaintenance.Tests.Operations;

/// <summary>
/// A journal in the format the library wrote before the replacement moved onto the shared step runner (version 1, five
/// steps done, stopped before the add) still resumes: the steps journaled are kept as written and not run again, and the
/// steps run now record their node and run mode too.
/// </summary>
public sealed class MemberReplacementJournalResumeTests : IDisposable
{
    /// <summary>The journal as written by the previous runner (paths under the host's root as <c>$ROOT</c>).</summary>
    private const string VersionOneJournalBeforeAdd = """
        {
          "version": 1,
          "operationId": "n2-20260101T000000Z-788477",
          "clusterId": "5c72ca3e1c6b0e4d",
          "memberName": "n2",
          "oldMemberId": "2222",
          "oldPeerUrls": [
            "http://10.0.0.2:2380"
          ],
          "peerUrls": [
            "http://10.0.0.2:2380"
          ],
          "clientUrls": [
            "http://10.0.0.2:2379"
          ],
          "asLearner": true,
          "voterCount": 3,
          "hostName": "n2",
          "manifestPath": "$ROOT/manifests/n2.yaml",
          "runMode": "FakeMemberHost",
          "dataDirectory": "$ROOT/data/n2",
          "archivedDataDirectory": "$ROOT/data/n2.replaced-20260101T000000Z",
          "snapshot": {
            "path": "$ROOT/journals/n2-20260101T000000Z-788477.snapshot.db",
            "sha256": "81a278df085b7796a6e5093a9b875b18f6b2eb89c1ac13a7f940b06d94b81535",
            "size": 4128,
            "revision": 100,
            "source": "n3"
          },
          "nextStep": "AddMember",
          "completedSteps": [
            {
              "step": "Snapshot",
              "completedAt": "2026-01-01T00:00:00+00:00",
              "alreadyDone": false,
              "note": "snapshot of n3 at revision 100 saved to $ROOT/journals/n2-20260101T000000Z-788477.snapshot.db (4.0 KiB, sha256 81a278df085b7796a6e5093a9b875b18f6b2eb89c1ac13a7f940b06d94b81535, owner-only)",
              "node": "n2",
              "runMode": "FakeMemberHost"
            },
            {
              "step": "MoveLeader",
              "completedAt": "2026-01-01T00:00:00+00:00",
              "alreadyDone": true,
              "note": "n2 does not lead (the leader is n1); nothing to move",
              "node": "n2",
              "runMode": "FakeMemberHost"
            },
            {
              "step": "StopMember",
              "completedAt": "2026-01-01T00:00:00+00:00",
              "alreadyDone": false,
              "note": "n2 stopped on n2; http://10.0.0.2:2379 no longer answers",
              "node": "n2",
              "runMode": "FakeMemberHost"
            },
            {
              "step": "RemoveMember",
              "completedAt": "2026-01-01T00:00:00+00:00",
              "alreadyDone": false,
              "note": "member 2222 (n2) removed; 2 voting member(s) left",
              "node": "n2",
              "runMode": "FakeMemberHost"
            },
            {
              "step": "ArchiveDataDirectory",
              "completedAt": "2026-01-01T00:00:00+00:00",
              "alreadyDone": false,
              "note": "$ROOT/data/n2 moved to $ROOT/data/n2.replaced-20260101T000000Z (kept, never deleted)",
              "node": "n2",
              "runMode": "FakeMemberHost"
            }
          ],
          "createdAt": "2026-01-01T00:00:00+00:00",
          "updatedAt": "2026-01-01T00:00:00+00:00",
          "isCompleted": false,
          "clusterIdHex": "5c72ca3e1c6b0e4d"
        }
        """;

    private readonly FakeEtcdCluster _cluster = new();
    private readonly FakeMemberHost _host;

    public MemberReplacementJournalResumeTests() => _host = new FakeMemberHost(_cluster, "n2");

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task AVersionOneJournalStoppedBeforeTheAdd_Resumes_FromTheAdd_KeepingWhatItRecorded()
    {
        // The cluster and the host as the journal left them: n2 stopped, removed, its data dir moved aside.
        await _host.StopAsync();
        _host.Actions.Clear();
        var oldId = _cluster["n2"].Id;
        _cluster.Members.RemoveAll(m => m.Id == oldId);
        Directory.Move(_host.DataDirectory, _host.DataDirectory + ".replaced-20260101T000000Z");
        var journals = Path.Combine(_host.Root, "journals");
        Directory.CreateDirectory(journals);
        var path = Path.Combine(journals, "member-replacement-n2-20260101T000000Z-788477.json");
        await File.WriteAllTextAsync(path, VersionOneJournalBeforeAdd.Replace("$ROOT", JsonEncodedText.Encode(_host.Root).ToString(), StringComparison.Ordinal));
        var coordinator = new MemberReplacementCoordinator(_cluster, new MemberReplacementOptions { JournalDirectory = journals }, timeProvider: new SteppingTimeProvider());

        var operation = await coordinator.ResumeAsync(path, _host);
        Assert.Equal(MemberReplacementStep.AddMember, operation.CurrentStep);
        Assert.Equal(["Snapshot", "MoveLeader", "StopMember", "RemoveMember", "ArchiveDataDirectory"], ((EtcdOperation<MemberReplacementResult, MemberReplacementProgress>)operation).GetCheckpoint().CompletedSteps);
        var result = await operation.WaitForCompletionAsync();

        Assert.Equal([$"add {result.NewMemberId} http://10.0.0.2:2380 learner", $"promote {result.NewMemberId}"], _cluster.Changes);
        Assert.Equal(["start"], _host.Actions);
        Assert.Equal(oldId, result.OldMemberId);
        Assert.Equal(_host.DataDirectory + ".replaced-20260101T000000Z", result.ArchivedDataDirectory);
        Assert.Equal("81a278df085b7796a6e5093a9b875b18f6b2eb89c1ac13a7f940b06d94b81535", result.Snapshot!.Sha256);
        var journal = await MemberReplacementCoordinator.ReadJournalAsync(path);
        Assert.True(journal.IsCompleted);
        Assert.Equal(Enum.GetValues<MemberReplacementStep>().Where(s => s != MemberReplacementStep.Completed), journal.CompletedSteps.Select(s => s.Step));
        Assert.Equal("n2 does not lead (the leader is n1); nothing to move", journal.CompletedSteps[1].Note);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), journal.CompletedSteps[4].CompletedAt);
        Assert.All(journal.CompletedSteps, s => Assert.Equal(("n2", "FakeMemberHost"), (s.Node, s.RunMode)));
        Assert.Equal(result.Steps, journal.CompletedSteps);
    }
}
