using EtcdMaintenance.Hosting;
using EtcdMaintenance.IntegrationTests.Doctor;
using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Manifests;
using EtcdMaintenance.Operations;

namespace EtcdMaintenance.IntegrationTests.Hosting;

/// <summary>
/// QuotaRaise, unchanged, through SSH hosts: static-pod members whose manifests a kubelet stand-in
/// (<see cref="StaticPodSupervisor"/>) runs, each reached over a real sshd.
/// </summary>
public sealed class SshQuotaRaiseTests
{
    private const long OldQuota = 16 * 1024 * 1024;

    [Fact]
    public async Task Raise_OverSsh_RestartsEachStaticPodInTurnWithTheNewQuota_AndKeepsEveryAcknowledgedWrite()
    {
        await using var server = await SshTestServer.StartAsync();
        await using var cluster = await StaticPodTestCluster.StartAsync(server.Root, 3, OldQuota);
        await using var client = cluster.CreateClient();
        var hosts = cluster.Members.Select(m => new SshEtcdMemberHost("127.0.0.1", server.Options(), m.Paths)).ToList();
        try
        {
            await using var writer = AcknowledgedWriter.Start(client);

            var raise = new QuotaRaise(client, [.. hosts], new QuotaRaiseOptions { NewQuota = QuotaBackendBytes.Parse("64MiB") });
            var report = await raise.ExecuteAsync();
            await writer.StopAsync();

            Assert.Equal(3, report.Members.Count(m => m.Restarted));
            Assert.All(cluster.Members, m => Assert.Equal(2, m.Supervisor!.Starts));
            foreach (var host in hosts)
            {
                Assert.Equal("67108864", (await host.LoadManifestAsync()).GetFlag("quota-backend-bytes"));
                Assert.False(File.Exists(host.ParkedManifestPath));
            }

            Assert.All(report.Members, m => Assert.StartsWith(server.Root, m.BackupPath, StringComparison.Ordinal));
            await writer.AssertEveryAcknowledgedWriteKeptAsync(client);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task EtcdDoctorRaiseQuota_WithSshFlags_PatchesTheMemberOnTheNodeItsPeerUrlNames()
    {
        await using var server = await SshTestServer.StartAsync();
        await using var cluster = await StaticPodTestCluster.StartAsync(server.Root, 1, OldQuota);
        var member = cluster.Members[0];

        var (exitCode, stdout, stderr) = await EtcdDoctorProcess.RunAsync(TimeSpan.FromMinutes(3),
            "raise-quota", "--to", "32MiB", "--endpoints", cluster.Endpoints, "--manifest", member.Paths.ManifestPath,
            "--ssh-user", Environment.UserName, "--ssh-key", server.ClientKey, "--ssh-port", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--known-hosts", server.KnownHosts);

        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}\n{stdout}");
        Assert.Equal(QuotaBackendBytes.Parse("32MiB"), EtcdManifest.Load(member.Paths.ManifestPath).GetQuotaBackendBytes());
        Assert.Equal(2, member.Supervisor!.Starts);
        // No backup directory given: backups go to etcd-maintenance/backups beside the manifests directory, on the node.
        Assert.Single(Directory.GetFiles(Path.Combine(member.Root, "etcd-maintenance", "backups")));

        // An unknown host key stops it before anything changes, naming the node and the step.
        var (refused, _, error) = await EtcdDoctorProcess.RunAsync(TimeSpan.FromMinutes(1),
            "raise-quota", "--to", "48MiB", "--endpoints", cluster.Endpoints, "--manifest", member.Paths.ManifestPath,
            "--ssh-user", Environment.UserName, "--ssh-key", server.ClientKey, "--ssh-port", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--known-hosts", Path.Combine(server.Root, "empty_known_hosts"));
        Assert.Equal(1, refused);
        Assert.Contains("host key check on node 127.0.0.1 failed (HostKeyUnknown)", error, StringComparison.Ordinal);
        Assert.Equal(QuotaBackendBytes.Parse("32MiB"), EtcdManifest.Load(member.Paths.ManifestPath).GetQuotaBackendBytes());
    }
}
