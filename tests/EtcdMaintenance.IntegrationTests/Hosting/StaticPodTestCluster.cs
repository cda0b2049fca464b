using EtcdMaintenance.Hosting;
using EtcdMaintenance.IntegrationTests.Harness;

namespace EtcdMaintenance.IntegrationTests.Hosting;

/// <summary>
/// Static-pod members on loopback, each with kubeadm-shaped files under its own directory of <see cref="SshTestServer.Root"/>
/// and a <see cref="StaticPodSupervisor"/> playing kubelet. Disposing stops every etcd.
/// </summary>
public sealed class StaticPodTestCluster : IAsyncDisposable
{
    private StaticPodTestCluster(IReadOnlyList<StaticPodTestMember> members) => Members = members;

    public IReadOnlyList<StaticPodTestMember> Members { get; }

    public string Endpoints => string.Join(',', Members.Select(m => m.ClientUrl));

    public static async Task<StaticPodTestCluster> StartAsync(string root, int count, long quotaBackendBytes)
    {
        var members = Enumerable.Range(1, count).Select(i => new StaticPodTestMember($"cp-{i}", FreePorts.Next(), FreePorts.Next(), Path.Combine(root, $"cp-{i}"))).ToList();
        var initialCluster = string.Join(',', members.Select(m => $"{m.Name}={m.PeerUrl}"));
        var cluster = new StaticPodTestCluster(members);
        try
        {
            foreach (var m in members)
            {
                LocalProcessEtcdHost.WriteManifest(m.Paths.ManifestPath, m.Name,
                [
                    $"--name={m.Name}", $"--data-dir={Path.Combine(m.Root, "data")}",
                    $"--listen-client-urls={m.ClientUrl}", $"--advertise-client-urls={m.ClientUrl}",
                    $"--listen-peer-urls={m.PeerUrl}", $"--initial-advertise-peer-urls={m.PeerUrl}",
                    $"--initial-cluster={initialCluster}", "--initial-cluster-state=new", $"--initial-cluster-token={Path.GetFileName(root)}",
                    $"--quota-backend-bytes={quotaBackendBytes}", "--heartbeat-interval=100", "--election-timeout=1000",
                ], EtcdBinaries.Etcd);
                m.Supervisor = new StaticPodSupervisor(m.Paths.ManifestPath, Path.Combine(m.Root, "etcd.log"));
            }

            await using var client = cluster.CreateClient();
            await Retry.UntilAsync(async () =>
            {
                try
                {
                    var status = await client.GetClusterStatusAsync();
                    return status.Reachable.Count == count && status.Reachable.Any(s => s.IsLeader);
                }
                catch (EtcdException)
                {
                    return false;
                }
            }, $"{count} members with a leader", TimeSpan.FromSeconds(60));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public EtcdMaintenanceClient CreateClient() => new(new EtcdClientOptions
    {
        Endpoints = [Endpoints],
        DialTimeout = TimeSpan.FromSeconds(2),
        CommandTimeout = TimeSpan.FromSeconds(5),
    });

    public async ValueTask DisposeAsync()
    {
        foreach (var member in Members)
        {
            if (member.Supervisor is { } supervisor)
            {
                await supervisor.DisposeAsync();
            }
        }
    }
}

/// <summary>One static-pod member: its files, its URLs, its kubelet stand-in.</summary>
public sealed class StaticPodTestMember(string name, int clientPort, int peerPort, string root)
{
    public string Name { get; } = name;

    public string Root { get; } = root;

    public string ClientUrl { get; } = $"http://127.0.0.1:{clientPort}";

    public string PeerUrl { get; } = $"http://127.0.0.1:{peerPort}";

    public StaticPodPaths Paths { get; } = new()
    {
        ManifestPath = Path.Combine(root, "manifests", "etcd.yaml"),
        ParkingDirectory = Path.Combine(root, "etcd-maintenance", "parked"),
        StagingDirectory = Path.Combine(root, "etcd-maintenance", "staging"),
        BackupDirectory = Path.Combine(root, "backups"),
    };

    public StaticPodSupervisor? Supervisor { get; internal set; }
}
