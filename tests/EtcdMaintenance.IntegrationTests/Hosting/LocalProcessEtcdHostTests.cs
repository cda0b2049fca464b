using System.Globalization;
using EtcdMaintenance.Hosting;
using EtcdMaintenance.IntegrationTests.Doctor;
using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.IntegrationTests.Hosting;

public sealed class LocalProcessEtcdHostTests
{
    [Fact]
    public async Task HostedMembers_StartFromTheirManifests_AndAFreshHostFindsAndStopsThemByPidFile()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1, Hosted = true });
        await using var client = cluster.CreateClient();
        var host = cluster.Members[0].Host!;
        Assert.True(await host.IsStartedAsync());
        Assert.Contains("--name=n1", ((EtcdManifest)await host.LoadManifestAsync()).CommandLine);

        // A new host object, as a resumed operation in a new process would build, finds the member by its PID file.
        var fresh = new LocalProcessEtcdHost(host.ManifestPath, EtcdBinaries.Etcd);
        Assert.True(await fresh.IsStartedAsync());
        await fresh.StopAsync();

        Assert.False(await host.IsStartedAsync());
        Assert.False(File.Exists(fresh.PidFile));
        await Assert.ThrowsAsync<EtcdUnavailableException>(() => client.GetStatusAsync(cluster.Endpoint(0)));

        await cluster.StartMemberAsync(0);
        Assert.True((await client.GetStatusAsync(cluster.Endpoint(0))).IsLeader);
    }

    [Fact]
    public async Task ArchiveDataDirectory_MovesItAsideWithoutDeleting_AndRefusesWhileRunning()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1, Hosted = true });
        var host = cluster.Members[0].Host!;
        var dataDir = cluster.Members[0].DataDir;

        await Assert.ThrowsAsync<InvalidOperationException>(() => host.ArchiveDataDirectoryAsync(dataDir));
        await host.StopAsync();
        var archived = await host.ArchiveDataDirectoryAsync(dataDir);

        Assert.NotNull(archived);
        Assert.False(Directory.Exists(dataDir));
        Assert.True(Directory.Exists(Path.Combine(archived, "member")));
        Assert.StartsWith(dataDir + ".replaced-", archived, StringComparison.Ordinal);
        Assert.Null(await host.ArchiveDataDirectoryAsync(dataDir));
    }

    [Fact]
    public async Task StartedMember_OutlivesTheObjectsThatStartedIt_InItsOwnSession_WithTheBinaryItsManifestNames()
    {
        var root = Directory.CreateTempSubdirectory("etcd-host-test-").FullName;
        var named = Path.Combine(root, "bin", "etcd-named-by-manifest");
        Directory.CreateDirectory(Path.GetDirectoryName(named)!);
        File.Copy(EtcdBinaries.Etcd, named);
        File.SetUnixFileMode(named, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var (client, peer) = (FreePorts.Next(), FreePorts.Next());
        var manifest = Path.Combine(root, "manifests", "solo.yaml");
        LocalProcessEtcdHost.WriteManifest(manifest, "solo",
        [
            "--name=solo", $"--data-dir={Path.Combine(root, "data", "solo")}",
            $"--listen-client-urls=http://127.0.0.1:{client}", $"--advertise-client-urls=http://127.0.0.1:{client}",
            $"--listen-peer-urls=http://127.0.0.1:{peer}", $"--initial-advertise-peer-urls=http://127.0.0.1:{peer}",
            $"--initial-cluster=solo=http://127.0.0.1:{peer}",
        ], named);

        // The host is given the etcd on PATH; the manifest's own binary must win.
        var host = new LocalProcessEtcdHost(manifest, EtcdBinaries.Etcd);
        try
        {
            await host.StartAsync();
            var pid = host.Process!.ProcessId;
            await host.Process.DisposeAsync();

            await using var etcd = new EtcdMaintenanceClient($"http://127.0.0.1:{client}");
            await Retry.UntilAsync(async () => await AnswersAsync(etcd), "the member to answer");
            Assert.NotNull(LocalEtcdProcess.TryAttach(pid));
            Assert.Equal(named, new FileInfo($"/proc/{pid}/exe").LinkTarget);
            Assert.Equal(pid, SessionId(pid));
            Assert.Equal(Path.Combine(root, "data", "solo.log"), host.LogFile);
            Assert.True(File.Exists(host.LogFile));

            // A fresh host (another process, a resumed run) finds and stops it.
            await new LocalProcessEtcdHost(manifest).StopAsync();
            Assert.Null(LocalEtcdProcess.TryAttach(pid));
        }
        finally
        {
            await host.StopAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task RaiseQuota_FromEtcdDoctorAsAChildProcess_LeavesTheMembersRunningAfterItExits()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1, Hosted = true, QuotaBackendBytes = 16 * 1024 * 1024 });
        await using var client = cluster.CreateClient(o => o.QuotaBackendBytes = null);
        var host = cluster.Members[0].Host!;

        var (exitCode, _, stderr) = await EtcdDoctorProcess.RunAsync(TimeSpan.FromMinutes(2),
            "raise-quota", "--to", "32MiB", "--local-process", "--manifest", host.ManifestPath, "--endpoints", cluster.Endpoints);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal(QuotaBackendBytes.Parse("32MiB"), EtcdManifest.Load(host.ManifestPath).GetQuotaBackendBytes());
        Assert.True(await host.IsStartedAsync());
        Assert.True(await AnswersAsync(client));
    }

    private static async Task<bool> AnswersAsync(IEtcdMaintenanceClient client)
    {
        try
        {
            return (await client.GetClusterStatusAsync()).Unreachable.Count == 0;
        }
        catch (EtcdException)
        {
            return false;
        }
    }

    /// <summary>The session ID from /proc/PID/stat (the sixth field; the command name in parentheses may hold spaces).</summary>
    private static int SessionId(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[3], CultureInfo.InvariantCulture);
    }
}
