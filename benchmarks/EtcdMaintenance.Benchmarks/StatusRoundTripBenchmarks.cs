using BenchmarkDotNet.Attributes;

namespace EtcdMaintenance.Benchmarks;

/// <summary>
/// Target 1 and 3: one sequential status round trip through the client against a real local etcd, side by side with
/// the floor reachable from .NET: a bare HttpClient HTTP/2 POST of the same gRPC request (the baseline), and the same
/// POST straight through HttpMessageInvoker (the floor under Grpc.Net.Client).
/// </summary>
[MemoryDiagnoser]
public class StatusRoundTripBenchmarks
{
    private LocalEtcdServer _server = null!;
    private EtcdMaintenanceClient _client = null!;
    private BareStatus _http = null!;
    private BareStatus _invoker = null!;
    private EtcdEndpoint _endpoint = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await LocalEtcdServer.StartAsync();
        _client = new EtcdMaintenanceClient(_server.ClientUrl);
        _endpoint = _client.Endpoints[0];
        _http = BareStatus.ViaHttpClient(_server.ClientUrl);
        _invoker = BareStatus.ViaInvoker(_server.ClientUrl);
        await BareHttpClientPost();
        await BareInvokerPost();
        await ClientGetStatus();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _http.Dispose();
        _invoker.Dispose();
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "bare HttpClient HTTP/2 POST")]
    public Task<int> BareHttpClientPost() => _http.PostAsync();

    [Benchmark(Description = "bare HttpMessageInvoker HTTP/2 POST")]
    public Task<int> BareInvokerPost() => _invoker.PostAsync();

    [Benchmark(Description = "client GetStatusAsync")]
    public async Task<long> ClientGetStatus() => (await _client.GetStatusAsync(_endpoint)).DbSize;
}
