using BenchmarkDotNet.Attributes;

namespace EtcdMaintenance.Benchmarks;

/// <summary>
/// What the benchmarks against a real local etcd share: one member started for the run, the client on it, and a bare
/// HttpClient HTTP/2 POST of the same status request as the floor; each subclass warms up its own benchmarks.
/// </summary>
public abstract class LocalServerBenchmarks
{
    private LocalEtcdServer _server = null!;

    protected EtcdMaintenanceClient Client { get; private set; } = null!;

    protected EtcdEndpoint Endpoint { get; private set; } = null!;

    private protected BareStatus Http { get; private set; } = null!;

    protected string ClientUrl => _server.ClientUrl;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await LocalEtcdServer.StartAsync();
        Client = new EtcdMaintenanceClient(_server.ClientUrl);
        Endpoint = Client.Endpoints[0];
        Http = BareStatus.ViaHttpClient(_server.ClientUrl);
        await WarmUpAsync();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        Http.Dispose();
        await DisposeExtrasAsync();
        await Client.DisposeAsync();
        await _server.DisposeAsync();
    }

    /// <summary>Runs each benchmark once, so that the first measured call finds its connection open.</summary>
    protected abstract Task WarmUpAsync();

    /// <summary>Disposes what a subclass set up in <see cref="WarmUpAsync"/>.</summary>
    protected virtual ValueTask DisposeExtrasAsync() => ValueTask.CompletedTask;
}
