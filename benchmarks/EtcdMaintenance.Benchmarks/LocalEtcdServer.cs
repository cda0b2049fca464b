using System.Net;
using System.Net.Sockets;
using EtcdMaintenance.Hosting;

namespace EtcdMaintenance.Benchmarks;

/// <summary>A throwaway etcd member on loopback for benchmarks that need a real server (etcd from ETCD_BIN or PATH).</summary>
internal sealed class LocalEtcdServer : IAsyncDisposable
{
    private readonly LocalEtcdProcess _process;
    private readonly string _directory;

    private LocalEtcdServer(LocalEtcdProcess process, string directory, string clientUrl)
    {
        _process = process;
        _directory = directory;
        ClientUrl = clientUrl;
    }

    public string ClientUrl { get; }

    public static async Task<LocalEtcdServer> StartAsync()
    {
        var binary = LocalEtcdProcess.FindEtcdBinary() ?? throw new InvalidOperationException("etcd not found: install etcd-server or set ETCD_BIN.");
        var directory = Directory.CreateTempSubdirectory("etcd-bench-").FullName;
        var client = $"http://127.0.0.1:{FreePort()}";
        var peer = $"http://127.0.0.1:{FreePort()}";
        var process = LocalEtcdProcess.Start(binary, [
            "--name=bench", $"--data-dir={Path.Combine(directory, "data")}",
            $"--listen-client-urls={client}", $"--advertise-client-urls={client}",
            $"--listen-peer-urls={peer}", $"--initial-advertise-peer-urls={peer}", $"--initial-cluster=bench={peer}",
        ], Path.Combine(directory, "etcd.log"));
        var server = new LocalEtcdServer(process, directory, client);
        await using var probe = new EtcdMaintenanceClient(client);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                if (!(await probe.GetStatusAsync(probe.Endpoints[0])).Leader.IsNone)
                {
                    return server;
                }
            }
            catch (EtcdException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow >= deadline)
            {
                await server.DisposeAsync();
                throw new TimeoutException("etcd did not start within 30 s.");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
