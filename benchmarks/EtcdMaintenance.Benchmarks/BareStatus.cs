using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace EtcdMaintenance.Benchmarks;

/// <summary>
/// The floor reachable from .NET: the same gRPC Status request as a bare HTTP/2 POST, reading the whole answer and its
/// trailers (no protobuf parsing, no error mapping, no deadline), through <see cref="HttpClient"/> (the baseline) or
/// straight through <see cref="HttpMessageInvoker"/> on a <see cref="SocketsHttpHandler"/> (the floor under Grpc.Net.Client).
/// </summary>
internal sealed class BareStatus : IDisposable
{
    private static readonly byte[] s_emptyStatusRequest = [0, 0, 0, 0, 0];
    private static readonly MediaTypeHeaderValue s_grpc = new("application/grpc");

    private readonly Uri _statusUri;
    private readonly HttpMessageInvoker _invoker;

    private BareStatus(string clientUrl, HttpMessageInvoker invoker)
    {
        _statusUri = new Uri(new Uri(clientUrl), "/etcdserverpb.Maintenance/Status");
        _invoker = invoker;
    }

    /// <summary>Through <see cref="HttpClient"/>, as an application would write it.</summary>
    public static BareStatus ViaHttpClient(string clientUrl) =>
        new(clientUrl, new HttpClient(new SocketsHttpHandler { UseProxy = false, EnableMultipleHttp2Connections = false }));

    /// <summary>Through <see cref="HttpMessageInvoker"/>: no HttpClient timeout source, no response buffering.</summary>
    public static BareStatus ViaInvoker(string clientUrl) =>
        new(clientUrl, new HttpMessageInvoker(new SocketsHttpHandler { UseProxy = false, EnableMultipleHttp2Connections = false }));

    public async Task<int> PostAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _statusUri)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(s_emptyStatusRequest),
        };
        request.Content.Headers.ContentType = s_grpc;
        request.Headers.TryAddWithoutValidation("te", "trailers");
        using var response = _invoker is HttpClient http
            ? await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead)
            : await _invoker.SendAsync(request, CancellationToken.None);
        var body = await response.Content.ReadAsByteArrayAsync();
        return response.TrailingHeaders.NonValidated.Contains("grpc-status") ? body.Length : throw new InvalidOperationException("no grpc-status");
    }

    /// <summary>One POST to each member at once, as a whole-cluster status asks them.</summary>
    public static Task AllAsync(BareStatus[] members)
    {
        var posts = new Task[members.Length];
        for (var i = 0; i < posts.Length; i++)
        {
            posts[i] = members[i].PostAsync();
        }

        return Task.WhenAll(posts);
    }

    public void Dispose() => _invoker.Dispose();
}

/// <summary>etcdctl, run the way scripts poll a cluster today: one process per poll.</summary>
internal static class Etcdctl
{
    public static string Binary { get; } = Locate();

    /// <summary><c>etcdctl endpoint status -w json --endpoints=...</c>; returns the JSON's length.</summary>
    public static async Task<int> EndpointStatusJsonAsync(string endpoints)
    {
        var start = new ProcessStartInfo(Binary, ["endpoint", "status", "-w", "json", $"--endpoints={endpoints}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ETCDCTL_API"] = "3";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("etcdctl did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var json = await output;
        return process.ExitCode == 0 && json.StartsWith('[')
            ? json.Length
            : throw new InvalidOperationException($"etcdctl exited {process.ExitCode}: {await error}");
    }

    private static string Locate()
    {
        var configured = Environment.GetEnvironmentVariable("ETCDCTL_BIN");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "etcdctl"))
            .FirstOrDefault(File.Exists) ?? "/usr/bin/etcdctl";
    }
}
