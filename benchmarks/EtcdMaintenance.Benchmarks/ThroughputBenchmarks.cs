using BenchmarkDotNet.Attributes;

namespace EtcdMaintenance.Benchmarks;

/// <summary>
/// Status calls to one member, 256 per invocation, one after another against 8 in flight at any time (8 loops of 32
/// calls over the one HTTP/2 connection); time per call, so the throughput ratio is sequential over concurrent. The
/// same 8 in flight as bare HttpClient HTTP/2 POSTs is the floor for the client's 8 in flight.
/// </summary>
[MemoryDiagnoser]
public class ThroughputBenchmarks : LocalServerBenchmarks
{
    private const int Calls = 256;
    private const int InFlight = 8;

    [Benchmark(Baseline = true, OperationsPerInvoke = Calls, Description = "sequential status calls")]
    public async Task Sequential()
    {
        for (var i = 0; i < Calls; i++)
        {
            await Client.GetStatusAsync(Endpoint);
        }
    }

    [Benchmark(OperationsPerInvoke = Calls, Description = "status calls, 8 in flight")]
    public Task EightInFlight() => InFlightAsync(() => Client.GetStatusAsync(Endpoint));

    [Benchmark(OperationsPerInvoke = Calls, Description = "bare HttpClient HTTP/2 POSTs, 8 in flight")]
    public Task BareEightInFlight() => InFlightAsync(Http.PostAsync);

    protected override async Task WarmUpAsync()
    {
        await EightInFlight();
        await BareEightInFlight();
    }

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
