using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Operations;

namespace EtcdMaintenance.IntegrationTests.Operations;

/// <summary>The consistency check on real clusters right after a compaction, where etcd 3.4 and 3.5 answer differently.</summary>
public sealed class ConsistencyCheckerTests
{
    [Fact]
    public async Task HashKv_AtTheCompactRevisionItself_IsRefusedBy34_AndAcceptedFrom35()
    {
        await using var cluster = await EtcdTestCluster.StartAsync();
        await using var client = cluster.CreateClient();
        var revision = (await client.PutAsync("/k", "v"u8.ToArray())).Revision;
        await client.CompactAsync(revision);

        if (EtcdBinaries.IsEtcd34)
        {
            var error = await Assert.ThrowsAsync<EtcdRevisionException>(() => client.HashKvAsync(cluster.Endpoint(0), revision));
            Assert.Equal(EtcdErrorCode.RevisionCompacted, error.ErrorCode);
        }
        else
        {
            // 3.5 hashes what the compaction kept: its compact_revision is then the compaction before (none here: -1).
            var hashed = await client.HashKvAsync(cluster.Endpoint(0), revision);
            Assert.Equal(revision, hashed.HashRevision);
        }

        Assert.Equal(revision, (await client.HashKvAsync(cluster.Endpoint(0))).HashRevision);
    }

    [Fact]
    public async Task Check_RightAfterACompactionAtTheCurrentRevision_FindsAHealthyClusterConsistent()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 3 });
        await using var client = cluster.CreateClient();
        long revision = 0;
        for (var i = 0; i < 30; i++)
        {
            // History a compaction frees: sizes in use drop on each member once it has applied it.
            revision = (await client.PutAsync($"/app/{i % 3}", new byte[500 * 1024])).Revision;
        }

        await client.CompactAsync(revision);
        var options = new ConsistencyCheckOptions { DbSizeDivergenceMinimumBytes = 1024 * 1024 };

        var report = await new ConsistencyChecker(client, options).CheckAsync();

        Assert.True(report.IsConsistent, string.Join("; ", report.Suspects.SelectMany(s => s.Findings.Select(f => $"{s.Name}: {f.Message}"))));
        Assert.Equal((long?)revision, report.HashRevision);
        Assert.NotNull(report.MajorityHash);
        Assert.All(report.Members, m => Assert.Equal(report.MajorityHash, m.Hash));
        Assert.Empty(report.RecommendedReplacements);
    }
}
