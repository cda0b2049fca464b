using BenchmarkDotNet.Attributes;
using EtcdMaintenance.Monitoring;

namespace EtcdMaintenance.Benchmarks;

/// <summary>
/// Target 2: a whole-cluster poll of 3 members (the poller's round, members asked concurrently) against each member's
/// single status round trip; the ratio is the poll over the slowest member. The client's whole-cluster status is also
/// set against its floor: the same three requests as bare HttpClient HTTP/2 POSTs in parallel.
/// </summary>
[MemoryDiagnoser]
public class ClusterPollBenchmarks
{
    private LocalEtcdServer _cluster = null!;
    private EtcdMaintenanceClient _client = null!;
    private ClusterPoller _poller = null!;
    private BareStatus[] _bare = [];

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _cluster = await LocalEtcdServer.StartAsync(members: 3);
        _client = new EtcdMaintenanceClient(_cluster.Endpoints);
        _poller = new ClusterPoller(_client);
        _bare = [.. _cluster.Endpoints.Split(',').Select(BareStatus.ViaHttpClient)];
        await BareClusterPosts();
        for (var i = 0; i < 100; i++)
        {
            await _poller.PollOnceAsync();
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        foreach (var bare in _bare)
        {
            bare.Dispose();
        }

        await _poller.DisposeAsync();
        await _client.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    [Benchmark(Description = "member 1 status")]
    public async Task<long> Member1() => (await _client.GetStatusAsync(_client.Endpoints[0])).DbSize;

    [Benchmark(Description = "member 2 status")]
    public async Task<long> Member2() => (await _client.GetStatusAsync(_client.Endpoints[1])).DbSize;

    [Benchmark(Description = "member 3 status")]
    public async Task<long> Member3() => (await _client.GetStatusAsync(_client.Endpoints[2])).DbSize;

    [Benchmark(Description = "client whole-cluster status")]
    public async Task<int> ClusterStatus() => (await _client.GetClusterStatusAsync()).Reachable.Count;

    [Benchmark(Description = "bare HttpClient HTTP/2 POSTs to the 3 members in parallel")]
    public Task BareClusterPosts() => BareStatus.AllAsync(_bare);

    [Benchmark(Description = "poller round, 3 members")]
    public async Task<int> PollerRound() => (await _poller.PollOnceAsync()).UpCount;
}
