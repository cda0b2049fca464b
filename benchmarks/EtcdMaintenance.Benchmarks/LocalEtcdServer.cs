using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EtcdMaintenance.Hosting;

namespace EtcdMaintenance.Benchmarks;

/// <summary>A throwaway etcd cluster (1 or more members) on loopback, for benchmarks that need a real server (etcd from ETCD_BIN or PATH).</summary>
internal sealed class LocalEtcdServer : IAsyncDisposable
{
    private readonly List<LocalEtcdProcess> _processes;
    private readonly string _directory;

    private LocalEtcdServer(List<LocalEtcdProcess> processes, string directory, IReadOnlyList<string> clientUrls)
    {
        _processes = processes;
        _directory = directory;
        ClientUrls = clientUrls;
    }

    /// <summary>The first member's client URL.</summary>
    public string ClientUrl => ClientUrls[0];

    /// <summary>Every member's client URL.</summary>
    public IReadOnlyList<string> ClientUrls { get; }

    /// <summary>The members' operating-system process IDs.</summary>
    public IReadOnlyList<int> ProcessIds => [.. _processes.Select(p => p.ProcessId)];

    /// <summary>CPU time the members have used so far (user + system, from /proc; zero where /proc is missing).</summary>
    public TimeSpan CpuTime()
    {
        var ticks = 0L;
        foreach (var pid in ProcessIds)
        {
            var path = $"/proc/{pid}/stat";
            if (File.Exists(path))
            {
                var stat = File.ReadAllText(path);
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ
    }

    /// <summary>The client URLs, comma-separated as etcdctl and the client take them.</summary>
    public string Endpoints => string.Join(',', ClientUrls);

    public static async Task<LocalEtcdServer> StartAsync(int members = 1)
    {
        var binary = LocalEtcdProcess.FindEtcdBinary() ?? throw new InvalidOperationException("etcd not found: install etcd-server or set ETCD_BIN.");
        var directory = Directory.CreateTempSubdirectory("etcd-bench-").FullName;
        var clients = Enumerable.Range(0, members).Select(_ => $"http://127.0.0.1:{FreePort()}").ToList();
        var peers = Enumerable.Range(0, members).Select(_ => $"http://127.0.0.1:{FreePort()}").ToList();
        var initialCluster = string.Join(',', peers.Select((p, i) => $"b{i}={p}"));
        var processes = new List<LocalEtcdProcess>();
        for (var i = 0; i < members; i++)
        {
            processes.Add(LocalEtcdProcess.Start(binary, [
                $"--name=b{i}", $"--data-dir={Path.Combine(directory, $"b{i}")}",
                $"--listen-client-urls={clients[i]}", $"--advertise-client-urls={clients[i]}",
                $"--listen-peer-urls={peers[i]}", $"--initial-advertise-peer-urls={peers[i]}",
                $"--initial-cluster={initialCluster}", "--initial-cluster-state=new", $"--initial-cluster-token=bench-{Path.GetFileName(directory)}",
            ], Path.Combine(directory, $"b{i}.log")));
        }

        var server = new LocalEtcdServer(processes, directory, clients);
        await using var probe = new EtcdMaintenanceClient(server.Endpoints);
        var clock = Stopwatch.StartNew();
        while ((await probe.GetClusterStatusAsync()).Reachable is var up && (up.Count < members || up.Any(s => s.Leader.IsNone)))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                await server.DisposeAsync();
                throw new TimeoutException($"etcd ({members} members) did not start within 30 s; logs in {directory}.");
            }

            await Task.Delay(50);
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

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
