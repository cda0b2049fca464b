using BenchmarkDotNet.Attributes;
using EtcdMaintenance.Monitoring;

namespace EtcdMaintenance.Benchmarks;

/// <summary>
/// Target 4: one poll of a 3-member cluster the way scripts do it today (<c>etcdctl endpoint status -w json</c>, a process
/// per poll) against the poller's round.
/// </summary>
[MemoryDiagnoser]
public class EtcdctlComparisonBenchmarks
{
    private LocalEtcdServer _cluster = null!;
    private EtcdMaintenanceClient _client = null!;
    private ClusterPoller _poller = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _cluster = await LocalEtcdServer.StartAsync(members: 3);
        _client = new EtcdMaintenanceClient(_cluster.Endpoints);
        _poller = new ClusterPoller(_client);
        await EtcdctlEndpointStatus();
        await PollerRound();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _poller.DisposeAsync();
        await _client.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "etcdctl endpoint status -w json")]
    public Task<int> EtcdctlEndpointStatus() => Etcdctl.EndpointStatusJsonAsync(_cluster.Endpoints);

    [Benchmark(Description = "poller round, 3 members")]
    public async Task<int> PollerRound() => (await _poller.PollOnceAsync()).UpCount;
}
