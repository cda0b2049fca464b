using System.Text.Json;
using EtcdMaintenance.IntegrationTests.Harness;

namespace EtcdMaintenance.IntegrationTests.Doctor;

public sealed class DoctorTlsFixture : IAsyncLifetime
{
    public EtcdTestCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1, Tls = true, ClientCertAuth = true });

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>etcdctl's environment variables and TLS flags, against a real etcd that requires client certificates.</summary>
public sealed class DoctorTlsTests(DoctorTlsFixture fixture) : IClassFixture<DoctorTlsFixture>
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    // Generous deadlines: a TLS handshake on a loaded CI machine can take longer than etcdctl's 2s dial timeout.
    private const string DialTimeout = "--dial-timeout=30s";

    private EtcdTestCluster Cluster => fixture.Cluster;

    private TestCertificates Certificates => Cluster.Certificates!;

    [Fact]
    public async Task EtcdctlEnvironmentVariables_ConnectWithTheClientCertificate()
    {
        var environment = new Dictionary<string, string?>
        {
            ["ETCDCTL_ENDPOINTS"] = Cluster.Endpoints,
            ["ETCDCTL_CACERT"] = Certificates.CaFile,
            ["ETCDCTL_CERT"] = Certificates.ClientCertFile,
            ["ETCDCTL_KEY"] = Certificates.ClientKeyFile,
            ["ETCDCTL_DIAL_TIMEOUT"] = "30s",
            ["ETCDCTL_COMMAND_TIMEOUT"] = "30s",
        };

        var (exitCode, stdout, stderr) = await EtcdDoctorProcess.RunAsync(s_timeout, stdin: null, environment, "status", "-o", "json");

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var entry = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(Cluster.Endpoints, entry.GetProperty("endpoint").GetString());
        Assert.True(entry.GetProperty("status").GetProperty("dbSize").GetInt64() > 0);
    }

    [Fact]
    public async Task Flags_WinOverTheirEnvironmentVariables()
    {
        var environment = new Dictionary<string, string?>
        {
            ["ETCDCTL_ENDPOINTS"] = "https://127.0.0.1:1",
            ["ETCDCTL_CACERT"] = Path.Combine(Certificates.Directory, "no-such-ca.crt"),
            ["ETCDCTL_CERT"] = Certificates.ClientCertFile,
            ["ETCDCTL_KEY"] = Certificates.ClientKeyFile,
        };

        var (exitCode, _, stderr) = await EtcdDoctorProcess.RunAsync(s_timeout, stdin: null, environment,
            "alarm", "list", $"--endpoints={Cluster.Endpoints}", $"--cacert={Certificates.CaFile}", DialTimeout);

        Assert.True(exitCode == 0, stderr);
    }

    [Fact]
    public async Task WithoutTheCa_TlsFailsInOneLine_AndInsecureSkipTlsVerifyConnects_Loudly()
    {
        string[] common = ["alarm", "list", $"--endpoints={Cluster.Endpoints}", $"--cert={Certificates.ClientCertFile}", $"--key={Certificates.ClientKeyFile}", DialTimeout];

        var verified = await EtcdDoctorProcess.RunAsync(s_timeout, common);
        var skipped = await EtcdDoctorProcess.RunAsync(s_timeout, [.. common, "--insecure-skip-tls-verify"]);
        var fromEnvironment = await EtcdDoctorProcess.RunAsync(s_timeout, stdin: null,
            new Dictionary<string, string?> { ["ETCDCTL_INSECURE_SKIP_TLS_VERIFY"] = "true" }, common);

        Assert.Equal(1, verified.ExitCode);
        var line = Assert.Single(verified.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(Cluster.Endpoints, line, StringComparison.Ordinal);
        Assert.Contains("TLS", line, StringComparison.Ordinal);
        Assert.True(skipped.ExitCode == 0, skipped.Stderr);
        Assert.Contains("NOT verified", skipped.Stderr, StringComparison.Ordinal);
        Assert.True(fromEnvironment.ExitCode == 0, fromEnvironment.Stderr);
        Assert.Contains("NOT verified", fromEnvironment.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InsecureTransportFalse_UsesTlsForEndpointsWithoutAScheme()
    {
        var hostPort = Cluster.Endpoints.Replace("https://", string.Empty, StringComparison.Ordinal);

        // No TLS flag: plain http, as etcdctl does by default. --insecure-transport=false: TLS with the system's CAs,
        // which do not trust the test CA, so the handshake is what fails.
        var plain = await EtcdDoctorProcess.RunAsync(s_timeout, "alarm", "list", $"--endpoints={hostPort}", DialTimeout);
        var tls = await EtcdDoctorProcess.RunAsync(s_timeout, "alarm", "list", $"--endpoints={hostPort}", "--insecure-transport=false", DialTimeout);

        Assert.Equal(1, plain.ExitCode);
        Assert.DoesNotContain("TLS handshake", plain.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, tls.ExitCode);
        Assert.Contains("TLS handshake", tls.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAClientCertificate_TheOneLineErrorNamesTheEndpointTheOperationAndTheCause()
    {
        var (exitCode, _, stderr) = await EtcdDoctorProcess.RunAsync(s_timeout, "alarm", "list", $"--endpoints={Cluster.Endpoints}", $"--cacert={Certificates.CaFile}", DialTimeout);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(Cluster.Endpoints, line, StringComparison.Ordinal);
        Assert.Contains("Maintenance.Alarm", line, StringComparison.Ordinal);
        // The transport's generic "An error occurred while sending the request." is followed by what actually happened.
        Assert.False(line.TrimEnd().EndsWith("An error occurred while sending the request.", StringComparison.Ordinal), line);
        Assert.Matches(@"\(.+\)", line);
    }
}
