using System.Globalization;
using EtcdMaintenance.Hosting;
using EtcdMaintenance.IntegrationTests.Doctor;
using EtcdMaintenance.Manifests;
using EtcdMaintenance.Operations;

namespace EtcdMaintenance.IntegrationTests.Hosting;

/// <summary>
/// systemd-unit mode over a real sshd and a real etcd: the unit is run by <see cref="SystemdUnitFixture"/>'s systemctl
/// stand-in from its environment file, and QuotaRaise, unchanged, raises the quota through that file.
/// </summary>
public sealed class SshSystemdMemberHostTests
{
    private const long OldQuota = 16 * 1024 * 1024;

    [Fact]
    public async Task Raise_ThroughTheEnvironmentFile_RestartsTheUnit_AndChangesOnlyTheQuotaBytes()
    {
        await using var server = await SshTestServer.StartAsync();
        await using var unit = await SystemdUnitFixture.StartAsync(server.Root, server.BinDirectory, OldQuota);
        await using var client = unit.CreateClient();
        await using var host = new SshSystemdMemberHost("127.0.0.1", server.Options(), new SystemdUnitOptions { Unit = SystemdUnitFixture.Unit, FlagFilePath = unit.EnvFile });
        var modeBefore = File.GetUnixFileMode(unit.EnvFile);
        var pidBefore = unit.Pid;
        await client.PutAsync("/before", "kept"u8.ToArray());

        Assert.True(await host.IsStartedAsync());
        var loaded = await host.LoadManifestAsync();
        Assert.Equal(EtcdFlagFileKind.EnvironmentFile, loaded.Kind);
        Assert.Equal("sd1", loaded.GetName());

        // The data dir is not moved while the unit is active.
        var running = await Assert.ThrowsAsync<EtcdHostException>(() => host.ArchiveDataDirectoryAsync(unit.DataDir));
        Assert.Equal(EtcdHostErrorCode.MemberRunning, running.ErrorCode);
        Assert.True(Directory.Exists(unit.DataDir));

        var newQuota = QuotaBackendBytes.Parse("64MiB");
        var report = await new QuotaRaise(client, [host], new QuotaRaiseOptions { NewQuota = newQuota }).ExecuteAsync();

        await unit.AssertQuotaRaisedThroughFlagFileAsync(report, newQuota, pidBefore, modeBefore, client, keptKey: "/before");

        // Stop and start are systemctl's, and idempotent; with the unit stopped, the data dir is moved aside, not deleted.
        await host.StopAsync();
        await host.StopAsync();
        Assert.False(await host.IsStartedAsync());
        Assert.Null(unit.Pid);
        var archived = await host.ArchiveDataDirectoryAsync(unit.DataDir);
        Assert.StartsWith(unit.DataDir + ".replaced-", archived, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(archived!, "member")));
    }

    [Fact]
    public async Task EtcdDoctorRaiseQuota_WithSystemdUnitAndEnvFile_RaisesTheQuotaOnTheNode()
    {
        await using var server = await SshTestServer.StartAsync();
        await using var unit = await SystemdUnitFixture.StartAsync(server.Root, server.BinDirectory, OldQuota);

        var (exitCode, stdout, stderr) = await EtcdDoctorProcess.RunAsync(TimeSpan.FromMinutes(3),
            "raise-quota", "--to", "32MiB", "--endpoints", unit.ClientUrl,
            "--systemd-unit", SystemdUnitFixture.Unit, "--env-file", unit.EnvFile,
            "--ssh-user", Environment.UserName, "--ssh-key", server.ClientKey, "--ssh-port", server.Port.ToString(CultureInfo.InvariantCulture),
            "--known-hosts", server.KnownHosts);

        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}\n{stdout}");
        Assert.Equal(QuotaBackendBytes.Parse("32MiB"), EtcdEnvironmentFile.Load(unit.EnvFile).GetQuotaBackendBytes());
        Assert.Equal(unit.OriginalFlagsWithQuota(33554432), File.ReadAllText(unit.EnvFile));

        // --env-file without --systemd-unit is refused before anything runs.
        var (refused, _, error) = await EtcdDoctorProcess.RunAsync(TimeSpan.FromMinutes(1),
            "raise-quota", "--to", "48MiB", "--endpoints", unit.ClientUrl, "--env-file", unit.EnvFile);
        Assert.NotEqual(0, refused);
        Assert.Contains("--env-file and --config-file go with --systemd-unit", error, StringComparison.Ordinal);
    }
}
