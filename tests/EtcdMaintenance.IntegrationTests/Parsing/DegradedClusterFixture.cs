using EtcdMaintenance.IntegrationTests.Harness;

namespace EtcdMaintenance.IntegrationTests.Parsing;

/// <summary>What one etcdctl run printed.</summary>
public sealed record EtcdctlCapture(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Standard error then standard output, as <c>2&gt;&amp;1</c> shows them (etcdctl reports failures before it prints).</summary>
    public string Merged => Stderr + Stdout;
}

/// <summary>
/// A real 3-member cluster in NOSPACE with one follower stopped, and etcdctl's output for it in every format, captured
/// once for the test class along with what the client says about the same cluster before and after the captures.
/// Set ETCDMAINTENANCE_CAPTURE_FIXTURES to a directory to also write the captures there (how the unit tests' fixtures
/// were made).
/// </summary>
public sealed class DegradedClusterFixture : IAsyncLifetime
{
    public static readonly string[] Formats = ["json", "table", "fields", "simple"];

    private static readonly (string Name, string[] Arguments)[] s_commands =
    [
        ("endpoint-status", ["endpoint", "status"]),
        ("member-list", ["member", "list"]),
        ("alarm-list", ["alarm", "list"]),
        ("endpoint-health", ["endpoint", "health"]),
        ("endpoint-hashkv", ["endpoint", "hashkv"]),
    ];

    private int _disposed;

    public EtcdTestCluster Cluster { get; private set; } = null!;

    public EtcdMaintenanceClient Client { get; private set; } = null!;

    public int StoppedMember { get; private set; }

    public EtcdEndpoint StoppedEndpoint => Cluster.Endpoint(StoppedMember);

    public IReadOnlyList<EtcdEndpoint> LiveEndpoints { get; private set; } = [];

    /// <summary>The client's statuses of the live members, taken just before the captures.</summary>
    public IReadOnlyDictionary<string, EndpointStatus> Before { get; private set; } = new Dictionary<string, EndpointStatus>();

    /// <summary>The same, taken just after.</summary>
    public IReadOnlyDictionary<string, EndpointStatus> After { get; private set; } = new Dictionary<string, EndpointStatus>();

    public IReadOnlyDictionary<(string Command, string Format), EtcdctlCapture> Captures { get; private set; } = new Dictionary<(string, string), EtcdctlCapture>();

    public async ValueTask InitializeAsync()
    {
        Cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 3, QuotaBackendBytes = 16 * 1024 * 1024 });
        try
        {
            Client = Cluster.CreateClient();
            await Client.PutAsync("/parsing/a", "1"u8.ToArray());
            await Cluster.FillToNoSpaceAsync(Client);
            var cluster = await Client.GetClusterStatusAsync();
            StoppedMember = cluster.Endpoints.Select((e, i) => (e, i)).First(x => x.e.Status is { IsLeader: false }).i;
            await Cluster.StopMemberAsync(StoppedMember);
            LiveEndpoints = [.. Enumerable.Range(0, Cluster.Members.Count).Where(i => i != StoppedMember).Select(Cluster.Endpoint)];

            Before = await StatusesAsync();
            var captures = new Dictionary<(string, string), EtcdctlCapture>();
            foreach (var (name, arguments) in s_commands)
            {
                foreach (var format in Formats)
                {
                    var (exitCode, stdout, stderr) = await Cluster.RunEtcdctlAsync([.. arguments, "-w", format, "--command-timeout=2s", "--dial-timeout=1s"]);
                    captures[(name, format)] = new EtcdctlCapture(exitCode, stdout, stderr);
                }
            }

            Captures = captures;
            After = await StatusesAsync();
            await WriteFixturesAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Called by InitializeAsync when it fails and by xunit afterwards: dispose once.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (Client is not null)
        {
            await Client.DisposeAsync();
        }

        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }

    public EtcdctlCapture Capture(string command, string format) => Captures[(command, format)];

    private async Task<IReadOnlyDictionary<string, EndpointStatus>> StatusesAsync()
    {
        var statuses = new Dictionary<string, EndpointStatus>();
        foreach (var endpoint in LiveEndpoints)
        {
            statuses[endpoint.Text] = await Client.GetStatusAsync(endpoint);
        }

        return statuses;
    }

    private async Task WriteFixturesAsync()
    {
        var directory = Environment.GetEnvironmentVariable("ETCDMAINTENANCE_CAPTURE_FIXTURES");
        if (string.IsNullOrEmpty(directory))
        {
            return;
        }

        Directory.CreateDirectory(directory);
        foreach (var ((command, format), capture) in Captures)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, $"{command}.{format}.stdout.txt"), capture.Stdout);
            await File.WriteAllTextAsync(Path.Combine(directory, $"{command}.{format}.stderr.txt"), capture.Stderr);
        }
    }
}
