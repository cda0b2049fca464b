using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Operations;

namespace EtcdMaintenance.IntegrationTests;

/// <summary>Two real clusters, the other one's endpoint listed first: every change refuses and nothing changes on either.</summary>
public sealed class ClusterIdentityTests
{
    private static async Task<string> FingerprintAsync(EtcdTestCluster cluster)
    {
        await using var client = cluster.CreateClient();
        var lines = new List<string>();
        for (var i = 0; i < cluster.Members.Count; i++)
        {
            var status = await client.GetStatusAsync(cluster.Endpoint(i));
            var hash = await client.HashKvAsync(cluster.Endpoint(i));
            lines.Add($"{cluster.Endpoint(i)} revision={status.Revision} db={status.DbSize} compacted={hash.CompactRevision} leader={status.Leader}");
        }

        return string.Join('\n', lines);
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
        Assert.Equal(oursBefore, await FingerprintAsync(ours));
        Assert.Equal(otherBefore, await FingerprintAsync(other));

        // The same calls on our endpoints alone do change things: the refusal above was the check, not a no-op.
        await using var right = ours.CreateClient();
        Assert.Equal(ourId, await right.EnsureSingleClusterAsync());
        await right.CompactAsync((await right.GetClusterStatusAsync()).MaxRevision!.Value);
        Assert.NotEqual(oursBefore, await FingerprintAsync(ours));
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
