using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EtcdMaintenance.IntegrationTests;

/// <summary>The client pointed at something that is not etcd's gRPC port: a plain HTTP/1.1 server on loopback.</summary>
public sealed class NonGrpcServerTests : IAsyncLifetime
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private Task _serving = Task.CompletedTask;

    public ValueTask InitializeAsync()
    {
        _listener.Start();
        _serving = ServeAsync(_stop.Token);
        return ValueTask.CompletedTask;
    }

    private string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Answers every connection the way an HTTP/1.1-only server answers what it cannot parse, then closes it.</summary>
    private async Task ServeAsync(CancellationToken cancellationToken)
    {
        var answer = Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\nBad Request");
        while (!cancellationToken.IsCancellationRequested)
        {
            using var connection = await _listener.AcceptTcpClientAsync(cancellationToken);
            try
            {
                var stream = connection.GetStream();
                _ = await stream.ReadAsync(new byte[4096], cancellationToken);
                await stream.WriteAsync(answer, cancellationToken);
            }
            catch (IOException)
            {
                // The client gave up on this connection first; serve the next one.
            }
        }
    }

    [Fact]
    public async Task Status_FromAPlainHttp11Server_IsAClearProtocolError_NotAHang()
    {
        await using var client = new EtcdMaintenanceClient(new EtcdClientOptions { Endpoints = [Url], CommandTimeout = TimeSpan.FromSeconds(30) });
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var error = await Assert.ThrowsAnyAsync<EtcdException>(() => client.GetStatusAsync(EtcdEndpoint.Parse(Url), guard.Token));

        Assert.Equal(EtcdErrorCode.ProtocolError, error.ErrorCode);
        Assert.False(error.IsTransient);
        Assert.Contains(Url, error.Message, StringComparison.Ordinal);
        Assert.Contains("client URL", error.Message, StringComparison.Ordinal);
        Assert.Equal("Maintenance.Status", error.Operation);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await Task.WhenAny(_serving);   // ends with the cancellation
        _stop.Dispose();
    }
}
