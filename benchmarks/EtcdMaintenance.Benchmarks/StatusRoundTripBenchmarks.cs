using BenchmarkDotNet.Attributes;

namespace EtcdMaintenance.Benchmarks;

/// <summary>
/// Target 1 and 3: one sequential status round trip through the client against a real local etcd, side by side with
/// the floor reachable from .NET: a bare HttpClient HTTP/2 POST of the same gRPC request (the baseline), and the same
/// POST straight through HttpMessageInvoker (the floor under Grpc.Net.Client).
/// </summary>
[MemoryDiagnoser]
public class StatusRoundTripBenchmarks : LocalServerBenchmarks
{
    private BareStatus _invoker = null!;

    [Benchmark(Baseline = true, Description = "bare HttpClient HTTP/2 POST")]
    public Task<int> BareHttpClientPost() => Http.PostAsync();

    [Benchmark(Description = "bare HttpMessageInvoker HTTP/2 POST")]
    public Task<int> BareInvokerPost() => _invoker.PostAsync();

    [Benchmark(Description = "client GetStatusAsync")]
    public async Task<long> ClientGetStatus() => (await Client.GetStatusAsync(Endpoint)).DbSize;

    protected override async Task WarmUpAsync()
    {
        _invoker = BareStatus.ViaInvoker(ClientUrl);
        await BareHttpClientPost();
        await BareInvokerPost();
        await ClientGetStatus();
    }

    protected override ValueTask DisposeExtrasAsync()
    {
        _invoker.Dispose();
        return ValueTask.CompletedTask;
    }
}
