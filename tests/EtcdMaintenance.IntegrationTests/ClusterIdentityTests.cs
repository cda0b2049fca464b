using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Operations;

namespace EtcdMaintenance.IntegrationTests;

/// <summary>Two real clusters, the other one's endpoint listed first: every change refuses and nothing changes on either.</summary>
public sealed class ClusterIdentityTests
{
    /// <summary>Each member's revision, compacted revision, leader and DB file size.</summary>
    private static async Task<List<(string Endpoint, long Revision, long Compacted, MemberId Leader, long DbSize)>> FingerprintAsync(EtcdTestCluster cluster)
    {
        await using var client = cluster.CreateClient();
        var members = new List<(string, long, long, MemberId, long)>();
        for (var i = 0; i < cluster.Members.Count; i++)
        {
            var status = await client.GetStatusAsync(cluster.Endpoint(i));
            var hash = await client.HashKvAsync(cluster.Endpoint(i));
            members.Add((cluster.Endpoint(i).Text, status.Revision ?? -1, hash.CompactRevision, status.Leader, status.DbSize));
        }

        return members;
    }

    /// <summary>
    /// Nothing compacted, written or defragmented: the same revisions, compacted revisions and leaders, and no file shrank
    /// (the backend commits in batches, so a file may still grow from the writes before; a defragment would shrink it).
    /// </summary>
    private static async Task AssertUnchangedAsync(EtcdTestCluster cluster, List<(string Endpoint, long Revision, long Compacted, MemberId Leader, long DbSize)> before)
    {
        var after = await FingerprintAsync(cluster);
        Assert.Equal(before.Select(m => (m.Endpoint, m.Revision, m.Compacted, m.Leader)), after.Select(m => (m.Endpoint, m.Revision, m.Compacted, m.Leader)));
        Assert.All(before.Zip(after), pair => Assert.True(pair.Second.DbSize >= pair.First.DbSize, $"{pair.First.Endpoint}: {pair.First.DbSize} -> {pair.Second.DbSize}"));
    }

    /// <summary>Writes and deletes data so that a compaction or a defragment would change revisions and sizes.</summary>
    private static async Task<ulong> LeaveGarbageAsync(EtcdTestCluster cluster)
    {
        await using var client = cluster.CreateClient();
        for (var i = 0; i < 20; i++)
        {
            await client.PutAsync($"/garbage/{i}", new byte[32 * 1024]);
        }

        await client.DeletePrefixAsync("/garbage/");
        return (await client.EnsureSingleClusterAsync())!.Value;
    }

    [Fact]
    public async Task MixedEndpointList_OtherClusterFirst_CompactRecoveryAndDefragRefuse_NamingTheStrayEndpoint_NothingChanged()
    {
        await using var ours = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 3 });
        await using var other = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1 });
        var ourId = await LeaveGarbageAsync(ours);
        var otherId = await LeaveGarbageAsync(other);
        Assert.NotEqual(ourId, otherId);
        var oursBefore = await FingerprintAsync(ours);
        var otherBefore = await FingerprintAsync(other);
        await using var client = new EtcdMaintenanceClient(new EtcdClientOptions { Endpoints = [other.Endpoints, ours.Endpoints] });
        var stray = other.Endpoint(0).Text;

        // Reads still report per endpoint.
        Assert.Equal(4, (await client.GetClusterStatusAsync()).Reachable.Count);

        var refusals = new List<EtcdClusterMismatchException>
        {
            await Assert.ThrowsAsync<EtcdClusterMismatchException>(() => client.EnsureSingleClusterAsync()),
            await Assert.ThrowsAsync<EtcdClusterMismatchException>(async () => await client.CompactAsync((await client.GetClusterStatusAsync()).MaxRevision!.Value)),
            await Assert.ThrowsAsync<EtcdClusterMismatchException>(() => new SpaceRecovery(client).ExecuteAsync()),
            await Assert.ThrowsAsync<EtcdClusterMismatchException>(() => new SpaceRecovery(client, new SpaceRecoveryOptions
            {
                Compaction = CompactionTarget.None,
                DisarmNoSpace = false,
                VerifyWithProbeWrite = false,
            }).ExecuteAsync()),
            await Assert.ThrowsAsync<EtcdClusterMismatchException>(() => client.DefragmentAsync(ours.Endpoint(0))),
            await Assert.ThrowsAsync<EtcdClusterMismatchException>(() => client.DefragmentAsync(other.Endpoint(0))),
            await Assert.ThrowsAsync<EtcdClusterMismatchException>(() => client.ProbeWriteAsync()),
        };

        Assert.All(refusals, error =>
        {
            Assert.Equal(EtcdErrorCode.SafetyCheckRefused, error.ErrorCode);
            Assert.Equal(ourId, error.ClusterId);
            Assert.Equal([stray], error.StrayEndpoints);
            Assert.Equal(otherId, error.EndpointClusterIds[stray]);
            Assert.Contains(stray, error.Message, StringComparison.Ordinal);
            Assert.Contains(ourId.ToString("x", System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
            Assert.Contains(otherId.ToString("x", System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        });
        await AssertUnchangedAsync(ours, oursBefore);
        await AssertUnchangedAsync(other, otherBefore);

        // The same calls on our endpoints alone do change things: the refusal above was the check, not a no-op.
        await using var right = ours.CreateClient();
        Assert.Equal(ourId, await right.EnsureSingleClusterAsync());
        await right.CompactAsync((await right.GetClusterStatusAsync()).MaxRevision!.Value);
        Assert.All(await FingerprintAsync(ours), m => Assert.NotEqual(oursBefore[0].Compacted, m.Compacted));
    }

    [Fact]
    public async Task TwoClustersOneEndpointEach_NoMajority_RefusesNamingBoth()
    {
        await using var first = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1 });
        await using var second = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1 });
        await using var client = new EtcdMaintenanceClient(new EtcdClientOptions { Endpoints = [first.Endpoints, second.Endpoints] });
        var before = await client.GetClusterStatusAsync();

        var error = await Assert.ThrowsAsync<EtcdClusterMismatchException>(() => client.CompactAsync(before.MaxRevision!.Value));

        Assert.Null(error.ClusterId);
        Assert.Equal([first.Endpoint(0).Text, second.Endpoint(0).Text], error.StrayEndpoints);
        Assert.Contains("none has a majority", error.Message, StringComparison.Ordinal);
        Assert.Equal(before.Reachable.Select(s => s.Revision), (await client.GetClusterStatusAsync()).Reachable.Select(s => s.Revision));
    }
}
