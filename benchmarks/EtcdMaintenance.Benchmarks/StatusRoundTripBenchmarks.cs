using System.Net;
using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;

namespace EtcdMaintenance.Benchmarks;

/// <summary>
/// One sequential status round trip through the client against a real local etcd, side by side with the floor
/// reachable from .NET: a bare HttpClient HTTP/2 POST of the same gRPC request, reading the whole answer and its
/// trailers (no protobuf parsing, no error mapping, no deadline).
/// </summary>
[MemoryDiagnoser]
public class StatusRoundTripBenchmarks
{
    private static readonly byte[] s_emptyStatusRequest = [0, 0, 0, 0, 0];
    private static readonly MediaTypeHeaderValue s_grpc = new("application/grpc");

    private LocalEtcdServer _server = null!;
    private EtcdMaintenanceClient _client = null!;
    private HttpClient _http = null!;
    private Uri _statusUri = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await LocalEtcdServer.StartAsync();
        _client = new EtcdMaintenanceClient(_server.ClientUrl);
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, EnableMultipleHttp2Connections = false });
        _statusUri = new Uri(new Uri(_server.ClientUrl), "/etcdserverpb.Maintenance/Status");
        await BareHttpClientPost();
        await ClientGetStatus();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _http.Dispose();
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "bare HttpClient HTTP/2 POST")]
    public async Task<int> BareHttpClientPost()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _statusUri)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(s_emptyStatusRequest),
        };
        request.Content.Headers.ContentType = s_grpc;
        request.Headers.TryAddWithoutValidation("te", "trailers");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsByteArrayAsync();
        return response.TrailingHeaders.NonValidated.Contains("grpc-status") ? body.Length : throw new InvalidOperationException("no grpc-status");
    }

    [Benchmark(Description = "client GetStatusAsync")]
    public async Task<long> ClientGetStatus() => (await _client.GetStatusAsync(_client.Endpoints[0])).DbSize;
}
