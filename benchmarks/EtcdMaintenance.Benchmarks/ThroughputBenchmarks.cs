using BenchmarkDotNet.Attributes;

namespace EtcdMaintenance.Benchmarks;

/// <summary>
/// Status calls to one member, 256 per invocation, one after another against 8 in flight at any time (8 loops of 32
/// calls over the one HTTP/2 connection); time per call, so the throughput ratio is sequential over concurrent. The
/// same 8 in flight as bare HttpClient HTTP/2 POSTs is the floor for the client's 8 in flight.
/// </summary>
[MemoryDiagnoser]
public class ThroughputBenchmarks
{
    private const int Calls = 256;
    private const int InFlight = 8;

    private LocalEtcdServer _server = null!;
    private EtcdMaintenanceClient _client = null!;
    private EtcdEndpoint _endpoint = null!;
    private BareStatus _http = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await LocalEtcdServer.StartAsync();
        _client = new EtcdMaintenanceClient(_server.ClientUrl);
        _endpoint = _client.Endpoints[0];
        _http = BareStatus.ViaHttpClient(_server.ClientUrl);
        await EightInFlight();
        await BareEightInFlight();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _http.Dispose();
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Calls, Description = "sequential status calls")]
    public async Task Sequential()
    {
        for (var i = 0; i < Calls; i++)
        {
            await _client.GetStatusAsync(_endpoint);
        }
    }

    [Benchmark(OperationsPerInvoke = Calls, Description = "status calls, 8 in flight")]
    public Task EightInFlight() => InFlightAsync(() => _client.GetStatusAsync(_endpoint));

    [Benchmark(OperationsPerInvoke = Calls, Description = "bare HttpClient HTTP/2 POSTs, 8 in flight")]
    public Task BareEightInFlight() => InFlightAsync(_http.PostAsync);

    private static Task InFlightAsync(Func<Task> call)
    {
        var loops = new Task[InFlight];
        for (var i = 0; i < loops.Length; i++)
        {
            loops[i] = Loop();
        }

        return Task.WhenAll(loops);

        async Task Loop()
        {
            for (var i = 0; i < Calls / InFlight; i++)
            {
                await call();
            }
        }
    }
}
