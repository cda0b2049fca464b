using System.Net;
using System.Net.Sockets;
using EtcdMaintenance;
using EtcdMaintenance.Hosting;

namespace EtcdDoctor.Demo;

/// <summary>
/// A throwaway 3-member etcd cluster on loopback, each member a local process started from its own manifest (so that
/// raise-quota and replace-member work on it exactly as on real nodes). Everything lives in one temp directory.
/// </summary>
internal sealed class DemoCluster : IAsyncDisposable
{
    private DemoCluster(string root, IReadOnlyList<DemoMember> members)
    {
        Root = root;
        Members = members;
    }

    public string Root { get; }

    public IReadOnlyList<DemoMember> Members { get; }

    public string Endpoints => string.Join(',', Members.Select(m => m.ClientUrl));

    public IReadOnlyList<int> ProcessIds => [.. Members.Select(m => m.Host.Process?.ProcessId).OfType<int>()];

    public static async Task<DemoCluster> StartAsync(string etcdBinary, long quotaBackendBytes, CancellationToken cancellationToken)
    {
        var root = Directory.CreateTempSubdirectory("etcd-doctor-demo-").FullName;
        var members = Enumerable.Range(1, 3).Select(i => new DemoMember($"demo-{i}", root, FreePort(), FreePort(), etcdBinary)).ToList();
        var cluster = new DemoCluster(root, members);
        try
        {
            var initialCluster = string.Join(',', members.Select(m => $"{m.Name}={m.PeerUrl}"));
            foreach (var member in members)
            {
                LocalProcessEtcdHost.WriteManifest(member.Host.ManifestPath, member.Name,
                [
                    $"--name={member.Name}", $"--data-dir={member.DataDir}",
                    $"--listen-client-urls={member.ClientUrl}", $"--advertise-client-urls={member.ClientUrl}",
                    $"--listen-peer-urls={member.PeerUrl}", $"--initial-advertise-peer-urls={member.PeerUrl}",
                    $"--initial-cluster={initialCluster}", "--initial-cluster-state=new", "--initial-cluster-token=etcd-doctor-demo",
                    $"--quota-backend-bytes={quotaBackendBytes}", "--heartbeat-interval=100", "--election-timeout=1000",
                ], etcdBinary);
                await member.Host.StartAsync(cancellationToken);
            }

            await cluster.WaitUntilReadyAsync(cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits (polling, with a deadline) until every member answers and knows a leader.</summary>
    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        await using var client = new EtcdMaintenanceClient(new EtcdClientOptions { Endpoints = [Endpoints], CommandTimeout = TimeSpan.FromSeconds(2) });
        var deadline = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var status = await client.GetClusterStatusAsync(cancellationToken);
            if (status.Reachable.Count == Members.Count && status.Reachable.All(s => !s.Leader.IsNone))
            {
                return;
            }

            if (TimeProvider.System.GetElapsedTime(deadline) > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException("The demo cluster did not come up within 30 s: " +
                    string.Join("; ", status.Unreachable.Select(u => u.Error?.Message)) + $" (logs in {Root})");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in Members)
        {
            try
            {
                await member.Host.StopAsync();
            }
            catch (InvalidOperationException)
            {
                member.Host.Process?.Kill();
            }
        }

        LocalEtcdProcess.KillAllStarted();
        try
        {
            Directory.Delete(Root, recursive: true);
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

internal sealed class DemoMember(string name, string root, int clientPort, int peerPort, string etcdBinary)
{
    public string Name { get; } = name;

    public string ClientUrl { get; } = $"http://127.0.0.1:{clientPort}";

    public string PeerUrl { get; } = $"http://127.0.0.1:{peerPort}";

    public string DataDir { get; } = Path.Combine(root, "data", name);

    public LocalProcessEtcdHost Host { get; } = new(Path.Combine(root, "manifests", $"{name}.yaml"), etcdBinary);
}
