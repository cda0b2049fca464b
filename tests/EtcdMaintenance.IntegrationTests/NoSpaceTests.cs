using EtcdMaintenance.IntegrationTests.Harness;

namespace EtcdMaintenance.IntegrationTests;

/// <summary>A 3-member cluster with a 16 MiB quota filled until etcd raises NOSPACE.</summary>
public sealed class NoSpaceTests
{
    [Fact]
    public async Task FillingPastTheQuota_FailsWritesThroughEveryMemberWithTheTypedError_AndListsTheNoSpaceAlarms()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 3, QuotaBackendBytes = 16 * 1024 * 1024 });
        await using var client = cluster.CreateClient();

        var (keys, error) = await cluster.FillToNoSpaceAsync(client);

        Assert.NotEmpty(keys);
        var noSpace = Assert.IsType<EtcdNoSpaceException>(error);
        Assert.Equal(EtcdStatusCode.ResourceExhausted, noSpace.StatusCode);
        Assert.Equal("etcdserver: mvcc: database space exceeded", noSpace.ServerMessage);
        Assert.Equal("KV.Put", noSpace.Operation);
        await Assert.ThrowsAsync<EtcdNoSpaceException>(() => client.ProbeWriteAsync());

        // Every member refuses writes with the typed error, whichever endpoint the write goes through.
        for (var i = 0; i < cluster.Members.Count; i++)
        {
            var refused = await Assert.ThrowsAsync<EtcdNoSpaceException>(() => client.PutAsync("/fill/more", new byte[900 * 1024], cluster.Endpoint(i)));
            Assert.Contains(cluster.Members[i].ClientUrl, refused.Message, StringComparison.Ordinal);
        }

        // etcd raises NOSPACE for a member whose own quota check refuses a write; once one alarm is active every write is
        // refused, so members whose file is still just under the quota may never raise their own (seen on 3.4.23).
        var members = (await client.ListMembersAsync()).Members.Select(m => m.Id).ToHashSet();
        await Retry.UntilAsync(async () => (await client.GetAlarmsAsync()).Any(a => a.Type == EtcdAlarmType.NoSpace), "a NOSPACE alarm");
        Assert.All(await client.GetAlarmsAsync(), a => Assert.True(a.Type == EtcdAlarmType.NoSpace && members.Contains(a.MemberId), a.ToString()));
        var alarms = await client.GetAlarmsAsync();
        var printed = await cluster.EtcdctlAsync(["alarm", "list"]);
        Assert.All(alarms, a => Assert.Contains(a.ToString(), printed, StringComparison.Ordinal));

        var status = await client.GetClusterStatusAsync();
        // Each member reports its own quota; those that raised NOSPACE are at or near it (the others may have stopped a
        // little under it when the first alarm refused every later write).
        Assert.All(status.Reachable, s => Assert.Equal(16 * 1024 * 1024, s.DbSizeQuota));
        Assert.All(status.Reachable.Where(s => alarms.Any(a => a.MemberId == s.MemberId)), s => Assert.True(s.QuotaUsage >= 0.9, $"{s.Endpoint} at {s.QuotaUsage:P0}"));
        Assert.All(status.Reachable, s => Assert.Contains(s.Errors, e => e.Contains("NOSPACE", StringComparison.Ordinal)));
        var health = await client.CheckClusterHealthAsync();
        Assert.All(health, h => Assert.False(h.IsHealthy));
        Assert.All(health, h => Assert.True(h.AnswersReads));
        Assert.All(health, h => Assert.Contains("NOSPACE", h.Error, StringComparison.Ordinal));
    }
}
