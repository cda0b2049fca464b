namespace EtcdMaintenance.IntegrationTests.Doctor;

/// <summary>Bad input to etcd-doctor: one line on stderr naming what is wrong, exit code 1, never a stack trace. No etcd is needed: these fail before connecting.</summary>
public sealed class DoctorErrorPathTests
{
    /// <summary>A kubeadm-shaped static-pod manifest with a 2 GiB quota (flags may be appended, one per line).</summary>
    private const string StaticPodManifest = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: etcd
        spec:
          containers:
          - name: etcd
            command:
            - etcd
            - --quota-backend-bytes=2147483648

        """;

    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(1);

    [Theory]
    [InlineData("--command-timeout", "status", "--command-timeout=00:00:05")]
    [InlineData("--command-timeout", "status", "--command-timeout=soon")]
    [InlineData("--dial-timeout", "status", "--dial-timeout=-1s")]
    [InlineData("--interval", "watch", "--interval=soon")]
    [InlineData("--defrag-timeout", "defrag", "--defrag-timeout=2 minutes")]
    [InlineData("--duration", "check", "--duration=1d")]
    [InlineData("--quota-backend-bytes", "check", "--quota-backend-bytes=lots")]
    [InlineData("--quota-backend-bytes", "watch", "--quota-backend-bytes=8XB")]
    public async Task BadDurationOrSize_IsOneLineNamingTheFlag_Exit1_NoStackTrace(string flag, string command, string argument)
    {
        var (exitCode, stdout, stderr) = await EtcdDoctorProcess.RunAsync(s_timeout, command, argument, "--endpoints=127.0.0.1:1");

        Assert.Equal(1, exitCode);
        Assert.Empty(stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("etcd-doctor: ", line, StringComparison.Ordinal);
        Assert.Contains(flag, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(",,,")]
    [InlineData(" , ")]
    public async Task EndpointListWithNoEndpoint_IsAnError_NotAnEmptyTable(string endpoints)
    {
        var (exitCode, stdout, stderr) = await EtcdDoctorProcess.RunAsync(s_timeout, "status", $"--endpoints={endpoints}");

        Assert.Equal(1, exitCode);
        Assert.Empty(stdout);
        Assert.Contains("names no endpoint", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadEnvironmentVariable_IsOneLineNamingIt()
    {
        var (exitCode, _, stderr) = await EtcdDoctorProcess.RunAsync(s_timeout, stdin: null,
            new Dictionary<string, string?> { ["ETCDCTL_COMMAND_TIMEOUT"] = "00:00:05" }, "status", "--endpoints=127.0.0.1:1");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("ETCDCTL_COMMAND_TIMEOUT", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableEndpoint_FailsWithOneLineNamingTheEndpointAndTheOperation()
    {
        var (exitCode, _, stderr) = await EtcdDoctorProcess.RunAsync(s_timeout, "compact", "--endpoints=127.0.0.1:1");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("127.0.0.1:1", line, StringComparison.Ordinal);
        Assert.Contains("Maintenance.Status", line, StringComparison.Ordinal);
        Assert.Contains("refused", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManifestErrors_GoToStderrAsOneLine_WithoutAnsi_WhenRedirected()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"etcd-doctor-{Guid.NewGuid():N}", "etcd.yaml");

        var (exitCode, stdout, stderr) = await EtcdDoctorProcess.RunAsync(s_timeout, stdin: null,
            new Dictionary<string, string?> { ["NO_COLOR"] = "1" }, "manifest", "show", "--manifest", missing);

        Assert.Equal(1, exitCode);
        Assert.Empty(stdout);
        Assert.DoesNotContain('\u001b', stderr);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(missing, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManifestShowAndGet_PrintJson_WithDashOJson()
    {
        var directory = Directory.CreateTempSubdirectory("etcd-doctor-manifest-");
        try
        {
            var path = Path.Combine(directory.FullName, "etcd.yaml");
            await File.WriteAllTextAsync(path, StaticPodManifest + "    - --snapshot-count=10000\n");

            var show = await EtcdDoctorProcess.RunAsync(s_timeout, "manifest", "show", "--manifest", path, "-o", "json");
            var get = await EtcdDoctorProcess.RunAsync(s_timeout, "manifest", "get", "quota-backend-bytes", "--manifest", path, "-w", "json");

            Assert.Equal(0, show.ExitCode);
            using var shown = System.Text.Json.JsonDocument.Parse(show.Stdout);
            Assert.Contains(shown.RootElement.GetProperty("flags").EnumerateArray(),
                f => f.GetProperty("name").GetString() == "quota-backend-bytes" && f.GetProperty("value").GetString() == "2147483648");
            Assert.Equal(0, get.ExitCode);
            using var got = System.Text.Json.JsonDocument.Parse(get.Stdout);
            Assert.Equal("2147483648", got.RootElement.GetProperty("value").GetString());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ManifestSetQuota_BelowTheDatabaseSize_IsRefusedWithExitCode2_AndTheFileIsUntouched()
    {
        var directory = Directory.CreateTempSubdirectory("etcd-doctor-refused-");
        try
        {
            var path = Path.Combine(directory.FullName, "etcd.yaml");
            const string Manifest = StaticPodManifest;
            await File.WriteAllTextAsync(path, Manifest);

            var (exitCode, _, stderr) = await EtcdDoctorProcess.RunAsync(s_timeout, "manifest", "set-quota", "1GiB", "--db-size", "1.5GiB",
                "--manifest", path, "--backup-dir", Path.Combine(directory.FullName, "backups"));

            Assert.Equal(2, exitCode);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(path, line, StringComparison.Ordinal);
            Assert.Equal(Manifest, await File.ReadAllTextAsync(path));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("status")]
    [InlineData("compact")]
    [InlineData("defrag")]
    [InlineData("alarm")]
    [InlineData("alarm list")]
    [InlineData("alarm disarm")]
    [InlineData("member")]
    [InlineData("member list")]
    [InlineData("member add")]
    [InlineData("member remove")]
    [InlineData("member update")]
    [InlineData("member promote")]
    [InlineData("snapshot")]
    [InlineData("snapshot save")]
    [InlineData("recover-space")]
    [InlineData("raise-quota")]
    [InlineData("manifest")]
    [InlineData("manifest show")]
    [InlineData("manifest get")]
    [InlineData("manifest set")]
    [InlineData("manifest set-quota")]
    [InlineData("parse")]
    [InlineData("watch")]
    [InlineData("check")]
    [InlineData("check-consistency")]
    [InlineData("replace-member")]
    [InlineData("demo")]
    public async Task EveryHelp_EndsWithAnExample_AndShowsNoTimeSpanDefaults(string command)
    {
        var (exitCode, stdout, _) = await EtcdDoctorProcess.RunAsync(s_timeout, [.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);

        Assert.Equal(0, exitCode);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).ToList();
        var example = lines.FindLastIndex(l => l == "Example:");
        Assert.True(example >= 0, stdout);
        Assert.All(lines[(example + 1)..], l => Assert.StartsWith("  ", l, StringComparison.Ordinal));
        Assert.Contains("etcd", lines[example + 1], StringComparison.Ordinal);
        Assert.DoesNotContain("00:0", stdout, StringComparison.Ordinal);
    }
}
