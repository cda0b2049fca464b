using EtcdMaintenance.Testing;

namespace EtcdMaintenance.Benchmarks;

/// <summary>A throwaway etcd cluster (1 or more members, <see cref="LocalEtcdCluster"/>) and the CPU time its members use.</summary>
internal sealed class LocalEtcdServer : IAsyncDisposable
{
    private readonly LocalEtcdCluster _cluster;

    private LocalEtcdServer(LocalEtcdCluster cluster) => _cluster = cluster;

    /// <summary>The first member's client URL.</summary>
    public string ClientUrl => _cluster.Members[0].ClientUrl;

    /// <summary>The client URLs, comma-separated as etcdctl and the client take them.</summary>
    public string Endpoints => _cluster.Endpoints;

    /// <summary>CPU time the members have used so far (user + system, from /proc; zero where /proc is missing).</summary>
    public TimeSpan CpuTime()
    {
        var ticks = 0L;
        foreach (var pid in _cluster.ProcessIds)
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

    public static async Task<LocalEtcdServer> StartAsync(int members = 1) =>
        new(await LocalEtcdCluster.StartAsync(new LocalEtcdClusterOptions { Members = members, MemberNamePrefix = "b" }));

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();
}
