using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Operations;

namespace EtcdMaintenance.IntegrationTests;

/// <summary>Compacting what is already compacted is a success that says so, in the client and in space recovery alike.</summary>
public sealed class CompactionIdempotenceTests
{
    [Fact]
    public async Task CompactAgain_AtOrBelowTheCompactedRevision_SucceedsAsAlreadyCompacted_AndSpaceRecoverySaysTheSame()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1 });
        await using var client = cluster.CreateClient();
        var first = await client.PutAsync("/idempotent/a", "1"u8.ToArray());
        var second = await client.PutAsync("/idempotent/a", "2"u8.ToArray());

        var compacted = await client.CompactAsync(second.Revision);
        var again = await client.CompactAsync(second.Revision);
        var below = await client.CompactAsync(first.Revision);

        Assert.False(compacted.AlreadyCompacted);
        Assert.True(again.AlreadyCompacted);
        Assert.Equal(second.Revision, again.Revision);
        Assert.True(below.AlreadyCompacted);
        Assert.Equal(second.Revision, (await client.HashKvAsync(cluster.Endpoint(0))).CompactRevision);

        // etcdctl, on the same member, calls the same thing an error: the library's outcome is the documented difference.
        var (exitCode, _, stderr) = await cluster.RunEtcdctlAsync(["compact", second.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("required revision has been compacted", stderr, StringComparison.Ordinal);

        // A future revision is still an error.
        await Assert.ThrowsAsync<EtcdRevisionException>(() => client.CompactAsync(second.Revision + 1000));

        var progress = new SyncProgress<SpaceRecoveryProgress>();
        var report = await new SpaceRecovery(client, new SpaceRecoveryOptions
        {
            Compaction = CompactionTarget.At(first.Revision),
        }).ExecuteAsync(progress);
        Assert.True(report.Succeeded, report.FailureReason);
        Assert.Contains(progress.Events, e => e.Stage == SpaceRecoveryStage.Compacted && e.Message.StartsWith("already compacted at revision", StringComparison.Ordinal));
    }
}
