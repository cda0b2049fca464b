using EtcdMaintenance.IntegrationTests.Harness;

namespace EtcdMaintenance.IntegrationTests;

/// <summary>Members stopped, paused and restarted under a live client.</summary>
public sealed class FaultTests : IAsyncLifetime
{
    private EtcdTestCluster _cluster = null!;

    public async ValueTask InitializeAsync() => _cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 3 });

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Compact_WithTwoOfThreeMembersDown_IsRefusedAtOnceSayingQuorumIsLost_NamingTheDownEndpoints()
    {
        await using var client = _cluster.CreateClient();
        await _cluster.StopMemberAsync(1);
        await _cluster.StopMemberAsync(2);
        await Retry.UntilAsync(async () => (await client.GetStatusAsync(_cluster.Endpoint(0))).Leader.IsNone, "the last member to lose its leader");

        var error = await Assert.ThrowsAsync<EtcdUnhealthyClusterException>(() => client.CompactAsync(1));

        Assert.Equal(EtcdErrorCode.UnhealthyCluster, error.ErrorCode);
        Assert.Contains("lost quorum", error.Message, StringComparison.Ordinal);
        Assert.Contains(_cluster.Members[1].ClientUrl, error.Message, StringComparison.Ordinal);
        Assert.Contains(_cluster.Members[2].ClientUrl, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusterStatus_WithAStoppedMember_NamesItAndStillReportsTheOthers()
    {
        await using var client = _cluster.CreateClient();
        await _cluster.StopMemberAsync(2);

        var status = await client.GetClusterStatusAsync();

        Assert.Equal(2, status.Reachable.Count);
        var down = Assert.Single(status.Unreachable);
        Assert.Equal(_cluster.Endpoint(2), down.Endpoint);
        var error = Assert.IsType<EtcdUnavailableException>(down.Error);
        Assert.Equal(EtcdErrorCode.EndpointUnavailable, error.ErrorCode);
        Assert.True(error.IsTransient);
        Assert.Contains(_cluster.Members[2].ClientUrl, error.Message, StringComparison.Ordinal);
        Assert.Contains("refused", error.Message, StringComparison.Ordinal);
        Assert.Equal("Maintenance.Status", error.Operation);

        // Cluster-wide calls move on to a live member.
        Assert.Equal(3, (await client.ListMembersAsync()).Members.Count);

        await _cluster.StartMemberAsync(2);
        var again = await client.GetClusterStatusAsync();
        Assert.Equal(3, again.Reachable.Count);
    }

    [Fact]
    public async Task Status_OfAPausedMember_HitsTheDeadlineAndNamesTheEndpoint()
    {
        await using var client = _cluster.CreateClient(o => o.CommandTimeout = TimeSpan.FromSeconds(1));
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await client.GetStatusAsync(_cluster.Endpoint(1), guard.Token); // connection established first
        _cluster.PauseMember(1);
        try
        {
            var error = await Assert.ThrowsAsync<EtcdUnavailableException>(() => client.GetStatusAsync(_cluster.Endpoint(1), guard.Token));

            Assert.Equal(EtcdErrorCode.DeadlineExceeded, error.ErrorCode);
            Assert.Equal(EtcdStatusCode.DeadlineExceeded, error.StatusCode);
            Assert.Contains(_cluster.Members[1].ClientUrl, error.Message, StringComparison.Ordinal);
            Assert.False(guard.IsCancellationRequested);

            var status = await client.GetClusterStatusAsync(guard.Token);
            Assert.Equal(2, status.Reachable.Count);
            Assert.Equal(_cluster.Endpoint(1), Assert.Single(status.Unreachable).Endpoint);
        }
        finally
        {
            _cluster.ResumeMember(1);
        }

        await Retry.UntilAsync(async () => (await client.GetClusterStatusAsync()).Reachable.Count == 3, "the resumed member to answer");
    }

    [Fact]
    public async Task KeepAlive_NoticesAPausedMembersDeadConnection_AndTheClientReconnectsOnceItIsContinued()
    {
        // A deadline far beyond the test's guard: only the unanswered keepalive ping can end the call in time.
        await using var client = _cluster.CreateClient(o =>
        {
            o.CommandTimeout = TimeSpan.FromMinutes(5);
            o.KeepAliveTime = TimeSpan.FromSeconds(1);
            o.KeepAliveTimeout = TimeSpan.FromSeconds(1);
        });
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var endpoint = _cluster.Endpoint(1);
        var before = await client.GetStatusAsync(endpoint, guard.Token); // connection established first
        _cluster.PauseMember(1);
        try
        {
            var error = await Assert.ThrowsAsync<EtcdUnavailableException>(() => client.GetStatusAsync(endpoint, guard.Token));

            Assert.Equal(EtcdErrorCode.EndpointUnavailable, error.ErrorCode);
            Assert.True(error.IsTransient);
            Assert.Contains(_cluster.Members[1].ClientUrl, error.Message, StringComparison.Ordinal);
            Assert.Equal("Maintenance.Status", error.Operation);
            Assert.False(guard.IsCancellationRequested);
        }
        finally
        {
            _cluster.ResumeMember(1);
        }

        // The same client opens a new connection once the member answers again.
        var after = await client.GetStatusAsync(endpoint, guard.Token);
        Assert.Equal(before.MemberId, after.MemberId);
    }

    [Fact]
    public async Task Defragment_OfAPausedMember_TimesOutOnItsOwnDeadline()
    {
        await using var client = _cluster.CreateClient(o => o.DefragmentTimeout = TimeSpan.FromSeconds(1));
        _cluster.PauseMember(0);
        try
        {
            var error = await Assert.ThrowsAsync<EtcdUnavailableException>(() => client.DefragmentAsync(_cluster.Endpoint(0)));

            Assert.Equal(EtcdErrorCode.DeadlineExceeded, error.ErrorCode);
            Assert.Equal("Maintenance.Defragment", error.Operation);
            Assert.Contains("1 s", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            _cluster.ResumeMember(0);
        }
    }

    [Fact]
    public async Task Cancellation_OfACallToAPausedMember_SurfacesAsOperationCanceled()
    {
        await using var client = _cluster.CreateClient(o => o.CommandTimeout = TimeSpan.FromSeconds(30));
        _cluster.PauseMember(2);
        try
        {
            using var cts = new CancellationTokenSource();
            var call = client.GetStatusAsync(_cluster.Endpoint(2), cts.Token);
            await cts.CancelAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        }
        finally
        {
            _cluster.ResumeMember(2);
        }
    }
}
