using System.Text.Json;
using EtcdMaintenance.IntegrationTests.Harness;

namespace EtcdMaintenance.IntegrationTests;

public sealed class ThreeMemberFixture : IAsyncLifetime
{
    public EtcdTestCluster Cluster { get; private set; } = null!;

    public EtcdMaintenanceClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 3 });
        Client = Cluster.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}

/// <summary>Every client call against a real 3-member cluster, cross-checked with etcdctl where it can print the same.</summary>
[Collection("three-member")]
public sealed class ThreeMemberClientTests(ThreeMemberFixture fixture) : IClassFixture<ThreeMemberFixture>
{
    private EtcdTestCluster Cluster => fixture.Cluster;

    private EtcdMaintenanceClient Client => fixture.Client;

    [Fact]
    public async Task GetClusterStatus_ReportsEveryMemberLikeEtcdctlJson()
    {
        await Client.PutAsync("/cluster-status/a", "1"u8.ToArray());
        var cluster = await Client.GetClusterStatusAsync();
        using var json = JsonDocument.Parse(await Cluster.EtcdctlAsync(["endpoint", "status", "-w", "json"]));
        var after = await Client.GetClusterStatusAsync();   // the file only grows between the reads (nothing defragments here)

        Assert.Equal(3, cluster.Endpoints.Count);
        Assert.All(cluster.Endpoints, e => Assert.True(e.Succeeded));
        Assert.Single(cluster.Reachable, s => s.IsLeader);
        foreach (var entry in json.RootElement.EnumerateArray())
        {
            var endpoint = entry.GetProperty("Endpoint").GetString()!;
            var expected = entry.GetProperty("Status");
            var actual = cluster.Endpoints.Single(e => e.Endpoint.Text == endpoint).Status!;
            Assert.Equal(expected.GetProperty("header").GetProperty("member_id").GetUInt64(), actual.MemberId.Value);
            Assert.Equal(expected.GetProperty("header").GetProperty("cluster_id").GetUInt64(), actual.Header!.ClusterId);
            Assert.Equal(expected.GetProperty("leader").GetUInt64(), actual.Leader.Value);
            Assert.InRange(expected.GetProperty("dbSize").GetInt64(), actual.DbSize, after.Endpoints.Single(e => e.Endpoint.Text == endpoint).Status!.DbSize);
        }

        Assert.Equal(cluster.Reachable.Max(s => s.Revision), cluster.MaxRevision);
    }

    [Fact]
    public async Task ListMembers_MatchesEtcdctlMemberList()
    {
        var members = await Client.ListMembersAsync();
        using var json = JsonDocument.Parse(await Cluster.EtcdctlAsync(["member", "list", "-w", "json"]));
        var expected = json.RootElement.GetProperty("members").EnumerateArray()
            .Select(m => (m.GetProperty("ID").GetUInt64(), m.GetProperty("name").GetString()!))
            .OrderBy(m => m.Item1)
            .ToList();

        Assert.Equal(expected, members.Members.Select(m => (m.Id.Value, m.Name)).OrderBy(m => m.Item1).ToList());
        Assert.All(members.Members, m => Assert.True(m.IsStarted));
        Assert.All(members.Members, m => Assert.Single(m.PeerUrls));
        var table = await Cluster.EtcdctlAsync(["member", "list"]);
        Assert.All(members.Members, m => Assert.Contains(m.Id.ToString(), table, StringComparison.Ordinal));
    }

    [Fact]
    public async Task HashKv_IsEqualOnEveryMemberAtOneRevision_AndMatchesEtcdctl()
    {
        var header = await Client.PutAsync("/hash/a", "value"u8.ToArray());
        var revision = header.Revision;
        var hashes = new List<HashKvResult>();
        for (var i = 0; i < 3; i++)
        {
            hashes.Add(await Client.HashKvAsync(Cluster.Endpoint(i), revision));
        }

        Assert.Single(hashes.Select(h => h.Hash).Distinct());
        Assert.All(hashes, h => Assert.Equal(revision, h.HashRevision));
        using var json = JsonDocument.Parse(await Cluster.EtcdctlAsync(["endpoint", "hashkv", $"--rev={revision}", "-w", "json"]));
        Assert.All(json.RootElement.EnumerateArray(), e => Assert.Equal(hashes[0].Hash, e.GetProperty("HashKV").GetProperty("hash").GetUInt32()));
    }

    [Fact]
    public async Task HealthCheck_ReportsEveryMemberHealthy()
    {
        var health = await Client.CheckClusterHealthAsync();

        Assert.Equal(3, health.Count);
        Assert.All(health, h => Assert.True(h.IsHealthy, h.Error));
        Assert.All(health, h => Assert.True(h.AnswersReads));
    }

    [Fact]
    public async Task Alarms_AreEmptyOnAHealthyCluster_AsEtcdctlSays()
    {
        var alarms = await Client.GetAlarmsAsync();

        Assert.Empty(alarms);
        Assert.Equal(string.Empty, (await Cluster.EtcdctlAsync(["alarm", "list"])).Trim());
    }

    [Fact]
    public async Task Snapshot_StreamsAVerifiedDatabaseThatEtcdctlAccepts()
    {
        await Client.PutAsync("/snapshot/a", new byte[64 * 1024]);
        var path = Path.Combine(Cluster.Root, $"snap-{Guid.NewGuid():N}.db");
        SnapshotResult result;
        await using (var file = File.Create(path))
        {
            result = await Client.SnapshotAsync(Cluster.Endpoint(1), file);
        }

        Assert.Equal(new FileInfo(path).Length, result.Size);
        Assert.Equal(64, result.Sha256.Length);
        using var status = JsonDocument.Parse(await Cluster.EtcdctlAsync(["snapshot", "status", path, "-w", "json"]));
        Assert.True(status.RootElement.GetProperty("totalKey").GetInt64() >= 1);
        Assert.True(status.RootElement.GetProperty("revision").GetInt64() >= result.Revision - 1);
    }

    [Fact]
    public async Task Compact_ThenHashKvBelowIt_FailsWithTypedCompactedError_AndFutureRevisionToo()
    {
        var first = await Client.PutAsync("/compact/a", "1"u8.ToArray());
        var second = await Client.PutAsync("/compact/a", "2"u8.ToArray());

        var result = await Client.CompactAsync(second.Revision, physical: true);

        Assert.Equal(second.Revision, result.Revision);
        var compacted = await Assert.ThrowsAsync<EtcdRevisionException>(() => Client.HashKvAsync(Cluster.Endpoint(0), first.Revision));
        Assert.Equal(EtcdErrorCode.RevisionCompacted, compacted.ErrorCode);
        Assert.Contains(Cluster.Members[0].ClientUrl, compacted.Message, StringComparison.Ordinal);
        var future = await Assert.ThrowsAsync<EtcdRevisionException>(() => Client.HashKvAsync(Cluster.Endpoint(0), second.Revision + 100_000));
        Assert.Equal(EtcdErrorCode.FutureRevision, future.ErrorCode);
    }

    [Fact]
    public async Task Defragment_EachMember_ShrinksOrKeepsTheFileAndReportsIt()
    {
        for (var i = 0; i < 20; i++)
        {
            await Client.PutAsync($"/defrag/{i}", new byte[32 * 1024]);
        }

        await Client.DeletePrefixAsync("/defrag/");
        var revision = (await Client.PutAsync("/defrag-done", "1"u8.ToArray())).Revision;
        await Client.CompactAsync(revision);
        long totalBefore = 0, totalAfter = 0;
        for (var i = 0; i < 3; i++)
        {
            var before = await Client.GetStatusAsync(Cluster.Endpoint(i));
            var result = await Client.DefragmentAsync(Cluster.Endpoint(i));
            var after = await Client.GetStatusAsync(Cluster.Endpoint(i));

            Assert.Equal(Cluster.Endpoint(i), result.Endpoint);
            Assert.True(after.DbSize <= before.DbSize, $"{after.DbSize} > {before.DbSize}");
            totalBefore += before.DbSize;
            totalAfter += after.DbSize;
        }

        Assert.True(totalAfter < totalBefore, $"defragmenting three members reclaimed nothing ({totalBefore} -> {totalAfter})");
    }

    [Fact]
    public async Task MoveLeader_ToAFollower_MakesItTheLeader()
    {
        var before = await Client.GetClusterStatusAsync();
        var follower = before.Reachable.First(s => !s.IsLeader);

        await Client.MoveLeaderAsync(follower.MemberId);

        var after = await Client.GetStatusAsync(EtcdEndpoint.Parse(follower.Endpoint));
        Assert.True(after.IsLeader);
    }

    [Fact]
    public async Task MemberAddUpdatePromoteRemove_OnALearnerThatNeverStarts()
    {
        var peer = $"http://127.0.0.1:{FreePorts.Next()}";
        var added = await Retry.WhileAsync(EtcdErrorCode.UnhealthyCluster, () => Client.AddMemberAsync([peer], asLearner: true));

        try
        {
            Assert.True(added.Member.IsLearner);
            Assert.False(added.Member.IsStarted);
            Assert.Equal([peer], added.Member.PeerUrls);
            Assert.Contains(added.Members, m => m.Id == added.Member.Id);
            var listed = (await Client.ListMembersAsync()).Find(added.Member.Id);
            Assert.NotNull(listed);
            Assert.Contains(added.Member.Id.ToString(), await Cluster.EtcdctlAsync(["member", "list"]), StringComparison.Ordinal);

            var notReady = await Assert.ThrowsAsync<EtcdException>(() => Client.PromoteMemberAsync(added.Member.Id));
            Assert.Equal(EtcdErrorCode.LearnerNotReady, notReady.ErrorCode);

            var newPeer = $"http://127.0.0.1:{FreePorts.Next()}";
            var updated = await Client.UpdateMemberAsync(added.Member.Id, [newPeer]);
            Assert.Equal([newPeer], updated.Find(added.Member.Id)!.PeerUrls);
        }
        finally
        {
            var removed = await Client.RemoveMemberAsync(added.Member.Id);
            Assert.Null(removed.Find(added.Member.Id));
        }

        Assert.Equal(3, (await Client.ListMembersAsync()).Members.Count);
    }

    [Fact]
    public async Task RemoveMember_WithAnUnknownId_FailsWithMemberNotFound()
    {
        var error = await Assert.ThrowsAsync<EtcdMemberNotFoundException>(() => Client.RemoveMemberAsync(new MemberId(0x1234)));

        Assert.Equal("Cluster.MemberRemove", error.Operation);
        Assert.Equal(EtcdStatusCode.NotFound, error.StatusCode);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task AddMember_WithAPeerUrlInUse_FailsWithPeerUrlExists()
    {
        var members = await Client.ListMembersAsync();

        var error = await Assert.ThrowsAsync<EtcdException>(() =>
            Retry.WhileAsync(EtcdErrorCode.UnhealthyCluster, () => Client.AddMemberAsync([members.Members[0].PeerUrls[0]], asLearner: false)));

        Assert.Equal(EtcdErrorCode.PeerUrlExists, error.ErrorCode);
    }

    [Fact]
    public async Task ProbeWrite_Succeeds_AndLeavesNoKeyBehind()
    {
        var header = await Client.ProbeWriteAsync();

        Assert.True(header.Revision > 0);
        Assert.Empty(await Client.GetPrefixAsync(EtcdMaintenanceClient.ReservedKeyPrefix));
    }
}
